import { z } from 'zod';

// Loaded as the first module script of every page. zod 4 probes `new Function` to decide whether to compile
// validators; a CSP without 'unsafe-eval' refuses the probe and reports it as a violation, even
// though zod catches it. Interpreted validation needs no eval.
z.config({ jitless: true });
