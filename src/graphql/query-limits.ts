import type { FragmentDefinitionNode, SelectionSetNode, ValidationRule } from 'graphql';
import { GraphQLError, Kind } from 'graphql';

/**
 * A validation rule bounding how deep a query nests and how many root fields (aliases included) it
 * selects. Introspection fields (`__schema`, `__type`) are not counted, so GraphQL IDEs keep working.
 */
export function queryLimitsRule(limits: {
  readonly maxDepth: number;
  readonly maxRootFields: number;
}): ValidationRule {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }

    // Each fragment is measured once and remembered: following a fragment once per path made a document
    // of fragments that each spread the next one twice cost 2^n (24 such fragments, under 1 KB, held the
    // event loop for 15 s). With the memo both walks are linear in the document. A fragment met again
    // while it is being measured is a cycle (NoFragmentCyclesRule reports it) and counts 0 here.
    const IN_PROGRESS = -1;
    const fragmentDepths = new Map<string, number>();
    const fragmentRootFields = new Map<string, number>();

    function measured(
      name: string,
      memo: Map<string, number>,
      measure: (selectionSet: SelectionSetNode) => number,
    ): number {
      const known = memo.get(name);
      if (known !== undefined) return known === IN_PROGRESS ? 0 : known;
      const fragment = fragments.get(name);
      if (fragment === undefined) return 0;
      memo.set(name, IN_PROGRESS);
      const value = measure(fragment.selectionSet);
      memo.set(name, value);
      return value;
    }

    /** How deep a selection set nests (introspection fields not counted), or some value over the limit. */
    function depth(selectionSet: SelectionSetNode): number {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const below = selection.selectionSet ? depth(selection.selectionSet) : 0;
          deepest = Math.max(deepest, 1 + below);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depth(selection.selectionSet));
        } else {
          deepest = Math.max(deepest, measured(selection.name.value, fragmentDepths, depth));
        }
        if (deepest > limits.maxDepth) return deepest;
      }
      return deepest;
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
          count += measured(selection.name.value, fragmentRootFields, rootFields);
        }
      }
      return count;
    }

    return {
      OperationDefinition(node) {
        const name = node.name ? `'${node.name.value}'` : 'the operation';
        const fields = rootFields(node.selectionSet);
        if (fields > limits.maxRootFields) {
          context.reportError(
            new GraphQLError(
              `${name} selects ${fields} root fields (aliases included); the limit is ${limits.maxRootFields}. ` +
                'Use batchCalculate for many calculations.',
              { nodes: [node] },
            ),
          );
        }
        const levels = depth(node.selectionSet);
        if (levels > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`${name} nests deeper than ${limits.maxDepth} levels.`, { nodes: [node] }),
          );
        }
      },
    };
  };
}
