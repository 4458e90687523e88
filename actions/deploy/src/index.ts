import { run } from '@deploy-actions/action-kit';
import { main } from './main.js';

void run(main);
