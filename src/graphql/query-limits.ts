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

    // Depth of a selection set; fragments are followed once per path (cycles are another rule's error).
    function depth(selectionSet: SelectionSetNode, seen: ReadonlySet<string>): number {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const below = selection.selectionSet ? depth(selection.selectionSet, seen) : 0;
          deepest = Math.max(deepest, 1 + below);
          if (deepest > limits.maxDepth) return deepest;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depth(selection.selectionSet, seen));
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment && !seen.has(fragment.name.value)) {
            deepest = Math.max(
              deepest,
              depth(fragment.selectionSet, new Set([...seen, fragment.name.value])),
            );
          }
        }
      }
      return deepest;
    }

    function rootFields(selectionSet: SelectionSetNode, seen: ReadonlySet<string>): number {
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (!selection.name.value.startsWith('__')) count += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += rootFields(selection.selectionSet, seen);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment && !seen.has(fragment.name.value)) {
            count += rootFields(fragment.selectionSet, new Set([...seen, fragment.name.value]));
          }
        }
      }
      return count;
    }

    return {
      OperationDefinition(node) {
        const name = node.name ? `'${node.name.value}'` : 'the operation';
        const fields = rootFields(node.selectionSet, new Set());
        if (fields > limits.maxRootFields) {
          context.reportError(
            new GraphQLError(
              `${name} selects ${fields} root fields (aliases included); the limit is ${limits.maxRootFields}. ` +
                'Use batchCalculate for many calculations.',
              { nodes: [node] },
            ),
          );
        }
        const levels = depth(node.selectionSet, new Set());
        if (levels > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`${name} nests deeper than ${limits.maxDepth} levels.`, { nodes: [node] }),
          );
        }
      },
    };
  };
}
