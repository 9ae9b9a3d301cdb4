'use strict';
/**
 * ESLint rule `fireline/file-role-names`: one spelling per file role (STYLE.md, "Names"). A file's role
 * is read from what it declares, first match wins:
 *
 * | role             | the file declares                                          | spelled        |
 * | ---------------- | ---------------------------------------------------------- | -------------- |
 * | Nest module      | a class decorated `@Module(…)`                             | `*.module.ts`  |
 * | controller       | a class decorated `@Controller(…)`                         | `*.http.controller.ts` |
 * | command handler  | a class decorated `@CommandHandler(…)`                     | `*.command.ts` |
 * | query handler    | a class decorated `@QueryHandler(…)`                       | `*.query.ts`   |
 * | TypeORM entity   | a class decorated `@Entity(…)`                             | `*.entity.ts`  |
 * | migration        | exported classes, every one `implements MigrationInterface` | `*.migration.ts` |
 * | request DTO      | an exported class named `…Request` / `…RequestDto`         | `*.request.dto.ts` |
 * | response DTO     | an exported class named `…Response` / `…ResponseDto`       | `*.response.dto.ts` |
 * | view             | an exported class named `…View`                            | `*.view.ts`    |
 * | decider          | an exported const typed `Decider<…>`                       | `*.decider.ts` |
 * | projection       | an exported const typed `Projection`                       | `*.projection.ts` |
 *
 * And the other way round: a file spelled like a role must be of that role (a `*.command.ts` without a
 * command handler is misnamed too). Test files (`*.spec.ts`, `*.int-spec.ts`, `*.e2e-spec.ts`) are not
 * checked. The rule looks at declarations, not at text, so comments and strings do not count.
 */

/** In precedence order. */
const ROLES = [
  { role: 'Nest module', suffix: '.module.ts', is: (f) => f.decorators.has('Module') },
  { role: 'controller', suffix: '.http.controller.ts', is: (f) => f.decorators.has('Controller') },
  { role: 'command handler', suffix: '.command.ts', is: (f) => f.decorators.has('CommandHandler') },
  { role: 'query handler', suffix: '.query.ts', is: (f) => f.decorators.has('QueryHandler') },
  { role: 'TypeORM entity', suffix: '.entity.ts', is: (f) => f.decorators.has('Entity') },
  { role: 'migration', suffix: '.migration.ts', is: (f) => f.exportedClasses.length > 0 && f.exportedClasses.every((c) => c.migration) },
  { role: 'request DTO', suffix: '.request.dto.ts', is: (f) => f.exportedClasses.some((c) => /Request(Dto)?$/.test(c.name)) },
  { role: 'response DTO', suffix: '.response.dto.ts', is: (f) => f.exportedClasses.some((c) => /Response(Dto)?$/.test(c.name)) },
  { role: 'view', suffix: '.view.ts', is: (f) => f.exportedClasses.some((c) => /View$/.test(c.name)) },
  { role: 'decider', suffix: '.decider.ts', is: (f) => f.exportedConstTypes.has('Decider') },
  { role: 'projection', suffix: '.projection.ts', is: (f) => f.exportedConstTypes.has('Projection') },
];

const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

function decoratorName(decorator) {
  const expression = decorator.expression;
  const callee = expression.type === 'CallExpression' ? expression.callee : expression;
  return callee.type === 'Identifier' ? callee.name : null;
}

function typeName(annotation) {
  const type = annotation && annotation.typeAnnotation;
  if (!type || type.type !== 'TSTypeReference') return null;
  return type.typeName.type === 'Identifier' ? type.typeName.name : null;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'suggestion',
    docs: { description: 'One spelling per file role: the file name ends in the suffix of the role its declarations give it.' },
    schema: [],
    messages: {
      misnamed: '{{file}} is a {{role}} file: name it *{{suffix}}.',
      notThatRole: '{{file}} is spelled like a {{role}} (*{{suffix}}) but declares no {{role}}.',
    },
  },
  create(context) {
    const filename = context.filename ?? context.getFilename();
    const file = filename.split(/[\\/]/).pop();
    if (TEST_FILE.test(file) || !file.endsWith('.ts') || file.endsWith('.d.ts')) return {};
    const facts = { decorators: new Set(), exportedClasses: [], exportedConstTypes: new Set() };

    const classFacts = (node, exported) => {
      for (const decorator of node.decorators ?? []) {
        const name = decoratorName(decorator);
        if (name) facts.decorators.add(name);
      }
      if (exported && node.id) {
        const migration = (node.implements ?? []).some((clause) => clause.expression.type === 'Identifier' && clause.expression.name === 'MigrationInterface');
        facts.exportedClasses.push({ name: node.id.name, migration });
      }
    };

    return {
      ClassDeclaration(node) {
        const exported = node.parent.type === 'ExportNamedDeclaration' || node.parent.type === 'ExportDefaultDeclaration';
        classFacts(node, exported);
      },
      'ExportNamedDeclaration > VariableDeclaration > VariableDeclarator'(node) {
        const name = typeName(node.id.typeAnnotation);
        if (name) facts.exportedConstTypes.add(name);
      },
      'Program:exit'(program) {
        const role = ROLES.find((candidate) => candidate.is(facts));
        if (role && !file.endsWith(role.suffix)) {
          context.report({ node: program, messageId: 'misnamed', data: { file, role: role.role, suffix: role.suffix } });
          return;
        }
        const spelled = ROLES.find((candidate) => file.endsWith(candidate.suffix));
        if (spelled && spelled !== role) {
          context.report({ node: program, messageId: 'notThatRole', data: { file, role: spelled.role, suffix: spelled.suffix } });
        }
      },
    };
  },
};
