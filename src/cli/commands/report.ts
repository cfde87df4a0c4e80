// `vigil report`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(report: not built yet)',
  help: 'usage: vigil report\n',
  async run() {
    throw new VigilError('INTERNAL', 'report is not built yet');
  },
};
export default command;
