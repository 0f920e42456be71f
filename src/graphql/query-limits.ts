import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { FragmentDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import { GraphQLError, Kind } from 'graphql';
import type { ApiErrorCode } from '../errors/error-codes';

/** The per-operation bounds the validation rules enforce (see the README's limits table). */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxRootFields: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
}

/**
 * The validation rules that bound each operation of a document, every one linear in the document's size
 * (each fragment measured once, however often it is spread):
 *
 * - depth, aliases and directives: graphql-armor's maintained rules (introspection not counted in depth,
 *   so GraphQL IDEs keep working; aliases counted at every level and once per fragment spread);
 * - root fields, aliases included: ours, as graphql-armor has no such rule.
 *
 * Each refusal is a GraphQL validation error whose message names the limit and its variable; aliases and
 * directives carry their own codes (TOO_MANY_ALIASES, TOO_MANY_DIRECTIVES), which the error formatter
 * keeps (Apollo labels every validation error GRAPHQL_VALIDATION_FAILED).
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    rootFieldsRule(limits.maxRootFields),
    maxDepthRule({
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [
        refusal(
          'GRAPHQL_VALIDATION_FAILED',
          (found) =>
            `The operation nests ${found ?? 'more than ' + limits.maxDepth} levels deep; the limit is ${limits.maxDepth} (MAX_QUERY_DEPTH).`,
        ),
      ],
    }),
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [
        refusal(
          'TOO_MANY_ALIASES',
          (found) =>
            `The operation has ${found ?? 'more than ' + limits.maxAliases} aliases, counted at every level; the limit is ${limits.maxAliases} (MAX_ALIASES). ` +
            'Ask for each field once; use batchCalculate for many calculations.',
        ),
      ],
    }),
    maxDirectivesRule({
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [
        refusal(
          'TOO_MANY_DIRECTIVES',
          (found) =>
            `The operation has ${found ?? 'more than ' + limits.maxDirectives} directives; the limit is ${limits.maxDirectives} (MAX_DIRECTIVES).`,
        ),
      ],
    }),
  ];
}

/**
 * A graphql-armor rejection handler that reports the refusal as a validation error of ours: graphql-armor's
 * own message begins "Syntax Error:", which it is not. `found` is the count graphql-armor measured.
 */
function refusal(code: ApiErrorCode, message: (found: number | undefined) => string) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    const found = /found (\d+)/.exec(error.message)?.[1];
    context?.reportError(
      new GraphQLError(message(found === undefined ? undefined : Number(found)), { extensions: { code } }),
    );
  };
}

/**
 * A validation rule bounding how many root fields (aliases included) an operation selects. Introspection
 * fields (`__schema`, `__type`) are not counted.
 */
export function rootFieldsRule(maxRootFields: number): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }

    // Each fragment is counted once and remembered: following a fragment once per path made a document
    // of fragments that each spread the next one twice cost 2^n (24 such fragments, under 1 KB, held the
    // event loop for 15 s). A fragment met again while it is being counted is a cycle
    // (NoFragmentCyclesRule reports it) and counts 0 here.
    const IN_PROGRESS = -1;
    const counted = new Map<string, number>();

    function fragmentRootFields(name: string): number {
      const known = counted.get(name);
      if (known !== undefined) return known === IN_PROGRESS ? 0 : known;
      const fragment = fragments.get(name);
      if (fragment === undefined) return 0;
      counted.set(name, IN_PROGRESS);
      const value = rootFields(fragment.selectionSet);
      counted.set(name, value);
      return value;
    }

    /** How many fields a selection set selects at its own level, through fragments. */
    function rootFields(selectionSet: SelectionSetNode): number {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (!selection.name.value.startsWith('__')) count += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += rootFields(selection.selectionSet);
        } else {
          count += fragmentRootFields(selection.name.value);
        }
      }
      return count;
    }

    return {
      OperationDefinition(node) {
        const name = node.name ? `'${node.name.value}'` : 'the operation';
        const fields = rootFields(node.selectionSet);
        if (fields > maxRootFields) {
          context.reportError(
            new GraphQLError(
              `${name} selects ${fields} root fields (aliases included); the limit is ${maxRootFields} (MAX_ROOT_FIELDS). ` +
                'Use batchCalculate for many calculations.',
              { nodes: [node] },
            ),
          );
        }
      },
    };
  };
}
