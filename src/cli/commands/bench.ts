// `vigil bench`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(bench: not built yet)',
  help: 'usage: vigil bench\n',
  async run() {
    throw new VigilError('INTERNAL', 'bench is not built yet');
  },
};
export default command;
