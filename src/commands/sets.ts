/*
 * (sets family: being written)
 */

import type { CommandSpec } from './table';

export const COMMANDS: CommandSpec[] = [];
