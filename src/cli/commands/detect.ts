// `vigil detect`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(detect: not built yet)',
  help: 'usage: vigil detect\n',
  async run() {
    throw new VigilError('INTERNAL', 'detect is not built yet');
  },
};
export default command;
