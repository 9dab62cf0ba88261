/** Entry of a planner thread started by PlannerPool: serves offline plans (see serve-plans.ts). */
import { servePlans } from './serve-plans.js';

servePlans();
