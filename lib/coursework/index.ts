/**
 * The coursework: what a student's notebook calls to get feedback on each question.
 *
 *   lab.todo("1.1")           stands where an answer goes in the student version
 *   lab.check.denseModels("1.1", …)  a check cell: shows what is right and what to revise, and
 *                             stops the notebook at the question while something is wrong; every
 *                             check takes its question's id first
 *
 * The checks read the student's own objects (layers, tensors, functions) and compare them with the
 * library's reference builders; their messages never give the expected values away.
 */
// A namespace of re-exports, not an object: Shift+Tab on `lab.check.mseFunction` then shows the
// check's own documentation, not only its type.
export * as check from './check-cells';

export { QuestionError, todo } from './questions';
export { exportAnswer } from './answers';
export type { TableRow } from './checks/tables';
export type { AnyHistory } from './checks/training';
export { mseTrials } from './checks/results';
export { noiseTrials } from './checks/noise';
export { shownImageGrids } from '../util/traces';
export type { MseFunction, ResultRow } from './checks/results';
export type { NoiseFunction } from './checks/noise';
