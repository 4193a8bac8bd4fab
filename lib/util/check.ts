/**
 * Argument checks that throw errors naming the argument and what is allowed. They are in French:
 * students meet them in the notebooks (a recipe's epochs, a model's K…).
 */

export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} doit être un entier positif, reçu ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkNumberInRange(name: string, value: unknown, min: number, max: number, detail = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} doit être un nombre dans [${min}, ${max}]${detail}, reçu ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${name} doit être l’une des valeurs ${allowed.map((a) => `'${a}'`).join(', ')}, reçu ${JSON.stringify(value)}`);
  }
  return value as T;
}
