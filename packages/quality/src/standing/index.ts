export { betaCdf, goldStanding, type GoldStanding, type StandingOptions } from './standing';
