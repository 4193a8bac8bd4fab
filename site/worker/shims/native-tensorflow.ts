/**
 * tfjs-node in the browser: it needs Node.js. The library loads it behind a try (lib/backend) and, in
 * a browser, does not even try; this module is only what the bundle puts in its place.
 */
throw new Error("TensorFlow natif (tfjs-node) n'existe pas dans le navigateur");
