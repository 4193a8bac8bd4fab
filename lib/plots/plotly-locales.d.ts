/** plotly.js-locales ships no types: a locale is a dictionary of English → translated words and its formats. */
declare module 'plotly.js-locales/fr' {
  const locale: { name: string; dictionary: Record<string, string>; format: Record<string, unknown> };
  export default locale;
}
