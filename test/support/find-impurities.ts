// Walks a TypeScript file's syntax tree and lists whatever would make it impure: runtime globals, clocks, I/O, foreign imports.
import ts from "typescript";

export interface Impurity {
  readonly line: number;
  readonly what: string;
}

/** Globals the core must never touch: I/O, clocks, randomness, runtime handles. */
const FORBIDDEN_GLOBALS = new Set([
  "process",
  "Bun",
  "Deno",
  "crypto",
  "console",
  "fetch",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "queueMicrotask",
  "performance",
  "navigator",
  "globalThis",
  "require",
  "XMLHttpRequest",
  "WebSocket",
  "caches",
]);
const FORBIDDEN_MEMBERS = new Set(["Date.now", "Math.random", "crypto.getRandomValues", "crypto.randomUUID"]);

export interface PurityRules {
  /** Bare module specifiers the file may import. */
  readonly allowedPackages: readonly string[];
  /** Whether a relative import stays inside the pure tree. */
  readonly relativeAllowed: (specifier: string) => boolean;
}

export const findImpurities = (fileName: string, text: string, rules: PurityRules): Impurity[] => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Impurity[] = [];
  const report = (node: ts.Node, what: string) =>
    found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, what });

  const checkSpecifier = (node: ts.Node, specifier: string) => {
    const isRelative = specifier.startsWith(".");
    if (isRelative ? !rules.relativeAllowed(specifier) : !rules.allowedPackages.includes(specifier)) {
      report(node, `import of "${specifier}"`);
    }
  };

  const declared = declaredNames(source);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) checkSpecifier(node, node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      report(node, "dynamic import()");
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "Date"
    ) {
      report(node, "new Date");
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const member = `${node.expression.text}.${node.name.text}`;
      if (FORBIDDEN_MEMBERS.has(member)) report(node, member);
    } else if (
      ts.isIdentifier(node) &&
      FORBIDDEN_GLOBALS.has(node.text) &&
      !declared.has(node.text) &&
      isGlobalReference(node)
    ) {
      report(node, node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
};

/** Names the file declares itself (a local `performance` helper shadows the global of that name). */
const declaredNames = (source: ts.SourceFile): Set<string> => {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isParameter(node) ||
        ts.isBindingElement(node) ||
        ts.isImportSpecifier(node) ||
        ts.isNamespaceImport(node) ||
        ts.isImportClause(node)) &&
      node.name &&
      ts.isIdentifier(node.name)
    ) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
};

/** True when the identifier is a value reference, not a property name, declaration or type-only position. */
const isGlobalReference = (id: ts.Identifier): boolean => {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if (ts.isPropertyAssignment(parent) && parent.name === id) return false;
  if ((ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent)) && parent.name === id)
    return false;
  if (ts.isMethodDeclaration(parent) && parent.name === id) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  return true;
};
