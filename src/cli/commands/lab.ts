// `vigil lab`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(lab: not built yet)',
  help: 'usage: vigil lab\n',
  async run() {
    throw new VigilError('INTERNAL', 'lab is not built yet');
  },
};
export default command;
