/**
 * Argument checks that throw errors naming the argument and what is allowed. They are in French:
 * students meet them in the notebooks (a recipe's epochs, a model's K…).
 */
import { integer } from './french';

/** A value as a message shows it: NaN as NaN (JSON would say null), strings quoted. */
export function shown(value: unknown): string {
  if (typeof value === 'number' || value === undefined || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function checkPositiveInteger(name: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    const allowed = max === Number.MAX_SAFE_INTEGER ? 'un entier positif' : `un entier de 1 à ${integer(max)}`;
    throw new Error(`${name} doit être ${allowed}, reçu ${shown(value)}`);
  }
  return value;
}

export function checkNumberInRange(name: string, value: unknown, min: number, max: number, detail = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} doit être un nombre dans [${min}, ${max}]${detail}, reçu ${shown(value)}`);
  }
  return value;
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${name} doit être l’une des valeurs ${allowed.map((a) => `'${a}'`).join(', ')}, reçu ${shown(value)}`);
  }
  return value as T;
}
