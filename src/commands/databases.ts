import type { CommandSpec } from './table';

export const COMMANDS: CommandSpec[] = [];
