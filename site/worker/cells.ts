import type * as TS from 'typescript';
// A compiler message, in the form the library's explanations read.
import type { CellDiagnostic } from '../../lib/coursework/cell-errors';

/**
 * A notebook cell, from TypeScript to a script the worker can run, keeping what tslab keeps: what a
 * cell declares at its top level (variables, functions, classes, imports) stays defined for the
 * cells after it, even when the cell stops on an error, and `await` is allowed at the top level.
 *
 * The TypeScript compiler (loaded in the worker) removes the types; then each top-level declaration
 * becomes a global of the worker: `const x = e` is run as `x = e` after a `var x` at the global
 * level, `import * as tf from "m"` as `tf = require("m")`, a function declaration is moved out to the global level, a
 * class becomes `C = class C {…}`. The rest runs inside one async function, whose value is the last
 * expression's, as in a REPL. Types are not checked (only the syntax): a mistake that only the
 * type checker would see shows up when the cell runs, as an error the library explains.
 */

export type CompiledCell = { ok: true; script: string } | { ok: false; diagnostics: CellDiagnostic[] };

const COMPILER_OPTIONS = (ts: typeof TS): TS.CompilerOptions => ({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  // Every cell is a module (top-level await), whose imports all stay (a cell may import what only later cells use).
  moduleDetection: ts.ModuleDetectionKind.Force,
  verbatimModuleSyntax: true,
  sourceMap: false,
  removeComments: false,
});

function diagnosticsOf(ts: typeof TS, source: string, diagnostics: readonly TS.Diagnostic[]): CellDiagnostic[] {
  const file = ts.createSourceFile('cellule.ts', source, ts.ScriptTarget.ES2022);
  return diagnostics.map((diagnostic) => ({
    start: file.getLineAndCharacterOfPosition(diagnostic.start ?? 0),
    messageText: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    code: diagnostic.code,
  }));
}

/** An import as assignments from `require` (the worker's modules), with the names it declares. */
function importAssignment(ts: typeof TS, statement: TS.ImportDeclaration, js: TS.SourceFile): { names: string[]; code: string } {
  const module = `require(${statement.moduleSpecifier.getText(js)})`;
  const clause = statement.importClause;
  if (clause === undefined) return { names: [], code: `${module};` };
  const names: string[] = [];
  const parts: string[] = [];
  if (clause.name !== undefined) {
    names.push(clause.name.text);
    parts.push(`${clause.name.text} = ${module}.default ?? ${module}`);
  }
  const bindings = clause.namedBindings;
  if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
    names.push(bindings.name.text);
    parts.push(`${bindings.name.text} = ${module}`);
  } else if (bindings !== undefined) {
    const pairs = bindings.elements.map((element) => {
      names.push(element.name.text);
      return element.propertyName === undefined ? element.name.text : `${element.propertyName.getText(js)}: ${element.name.text}`;
    });
    parts.push(`{ ${pairs.join(', ')} } = ${module}`);
  }
  return { names, code: `(${parts.join(', ')});` };
}

/** The names a binding declares: `x`, or each name of a destructuring pattern. */
function boundNames(ts: typeof TS, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : boundNames(ts, element.name)));
}

export function compileCell(ts: typeof TS, source: string): CompiledCell {
  const output = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS(ts), reportDiagnostics: true, fileName: 'cellule.ts' });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) return { ok: false, diagnostics: diagnosticsOf(ts, source, errors) };

  const js = ts.createSourceFile('cellule.js', output.outputText, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const globals: string[] = [];
  const hoisted: string[] = [];
  const body: string[] = [];
  // Without the `export {}` the compiler adds to make the cell a module.
  const statements = js.statements.filter(
    (s) =>
      !(
        ts.isExportDeclaration(s) &&
        s.exportClause !== undefined &&
        ts.isNamedExports(s.exportClause) &&
        s.exportClause.elements.length === 0
      ),
  );
  statements.forEach((statement, index) => {
    const text = statement.getText(js);
    if (ts.isImportDeclaration(statement)) {
      const { names, code } = importAssignment(ts, statement, js);
      globals.push(...names);
      body.push(code);
    } else if (ts.isVariableStatement(statement)) {
      const assignments = statement.declarationList.declarations.map((declaration) => {
        globals.push(...boundNames(ts, declaration.name));
        return `${declaration.name.getText(js)} = ${declaration.initializer?.getText(js) ?? 'undefined'}`;
      });
      body.push(`(${assignments.join(', ')});`);
    } else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      hoisted.push(text);
    } else if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
      globals.push(statement.name.text);
      body.push(`${statement.name.text} = ${text};`);
    } else if (ts.isExpressionStatement(statement) && index === statements.length - 1) {
      body.push(`return (${statement.expression.getText(js)});`);
    } else {
      body.push(text);
    }
  });
  const declarations = globals.length > 0 ? `var ${[...new Set(globals)].join(', ')};\n` : '';
  return { ok: true, script: `${declarations}${hoisted.join('\n')}\n(async () => {\n${body.join('\n')}\n})()` };
}
