/** The shape of a policy file (knowledge-base/policies/*.json): what a user sees for each finding. */
import { z } from 'zod';
import { Citation } from '../knowledge/source-schema.js';

export const Indicator = z.enum(['info', 'warning', 'critical']);
export type Indicator = z.infer<typeof Indicator>;
const IndicatorOrSuppress = z.enum(['info', 'warning', 'critical', 'suppress']);
export type IndicatorOrSuppress = z.infer<typeof IndicatorOrSuppress>;

export const PolicyFile = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    description: z.string().min(10),
    /** Card indicator for each interaction severity; `suppress` shows nothing. */
    indicatorBySeverity: z
      .object({
        contraindicated: IndicatorOrSuppress,
        major: IndicatorOrSuppress,
        moderate: IndicatorOrSuppress,
        minor: IndicatorOrSuppress,
      })
      .strict(),
    /** ONC high-priority pairs always interrupt: never below this, whatever else the policy says. */
    oncHighPriorityMinimum: z.enum(['warning', 'critical']),
    /** ONC low-priority pairs are never interruptive: at most this (before patient-context raises). */
    oncLowPriorityMaximum: z.enum(['info', 'suppress']),
    /** At most this many interruptive (warning/critical) cards; the rest fold into one summary card. Absent: no folding. */
    alertBudget: z.number().int().positive().optional(),
    /** Site decisions per interaction, each with the reason it was made. */
    interactionOverrides: z
      .array(
        z
          .object({
            interaction: z.string(),
            indicator: IndicatorOrSuppress,
            note: z.string().min(10),
            changedBy: z.string().min(2),
            changedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          })
          .strict(),
      )
      .default([]),
    /** Patient data that makes a pair more dangerous raises its indicator (e.g. potassium above 5.5). */
    contextRaises: z
      .array(
        z
          .object({
            interaction: z.string(),
            observation: z.string(),
            above: z.number().optional(),
            below: z.number().optional(),
            indicator: Indicator,
            note: z.string().min(10),
            citations: z.array(Citation).min(1),
          })
          .strict()
          .refine((r) => r.above !== undefined || r.below !== undefined, { message: 'a raise needs above or below' }),
      )
      .default([]),
  })
  .strict();
export type Policy = z.infer<typeof PolicyFile>;
