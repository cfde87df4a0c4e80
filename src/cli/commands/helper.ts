// `vigil helper`: placeholder until its issue lands; the owning module replaces this file.
import type { Command } from '../context.js';
import { VigilError } from '../../model/errors.js';

const command: Command = {
  summary: '(helper: not built yet)',
  help: 'usage: vigil helper\n',
  async run() {
    throw new VigilError('INTERNAL', 'helper is not built yet');
  },
};
export default command;
