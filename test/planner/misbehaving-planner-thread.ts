/**
 * A planner thread for the pool's fault tests: the real planner thread (servePlans + answerPlan),
 * except that a passage containing CRASH-THE-THREAD throws an uncaught error out of the thread and
 * one containing HANG-THE-THREAD never returns, as a planner bug could. Not a test.
 */
import { answerPlan, servePlans } from '../../src/planner/serve-plans.js';

const CRASH = 'CRASH-THE-THREAD';
const HANG = 'HANG-THE-THREAD';

servePlans((request) => {
  // Thrown inside the thread's message listener: uncaught, so the thread dies as a planner bug would.
  if (request.input.passage.includes(CRASH)) throw new Error('a planner bug brought the thread down');
  if (request.input.passage.includes(HANG)) for (;;);
  return answerPlan(request);
});
