/** The browser to drive, or the one message saying what to install or set. */
export interface ChromiumSearch {
  readonly path?: string;
  readonly problem?: string;
}

export function findChromium(
  env?: Readonly<Record<string, string | undefined>>,
  executable?: (path: string) => boolean,
): ChromiumSearch;

export const CHROMIUM_NAMES: readonly string[];
export const CHROMIUM_LOCATIONS: readonly string[];
