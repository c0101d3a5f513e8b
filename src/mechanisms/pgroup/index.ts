export { createPgroupContainment } from './pgroup-containment.js';
