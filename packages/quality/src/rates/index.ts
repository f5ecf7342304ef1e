export { wilsonInterval, type Proportion } from './proportion';
export { attackSuccessRates, type AttackAttempt, type AttackSuccessRates } from './attacks';
export { meanInterval, type MeanScore } from './mean';
