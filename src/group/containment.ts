/** The contract moved below the mechanisms (mechanisms/containment.ts); this path stays for code written against it. */
export type { Containment, GroupStats, MechanismName } from '../mechanisms/containment.js';
