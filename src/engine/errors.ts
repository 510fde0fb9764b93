/**
 * Stable codes of the errors an execution can end with. Messages always name the step.
 */
import type { JsonValue } from "../dsl/types.ts";

export const ErrorCode = {
  /** A call failed and no rule handled it. */
  callFailed: "E_STEP_FAILED",
  /** A `fail` action fired. */
  failAction: "E_FAIL_ACTION",
  /** A template could not be rendered or evaluated at run time (tool config, action, vars, args). */
  render: "E_RENDER",
  /** `loop.in` did not render to a list. */
  loopNotList: "E_LOOP_NOT_LIST",
  /** A step run re-invoked its tool more than `max_calls` times. */
  maxCalls: "E_MAX_CALLS",
  /** A sink's write failed. */
  sinkFailed: "E_SINK_FAILED",
  /** A transition names a step that does not exist (only possible with unvalidated playbooks). */
  unknownStep: "E_UNKNOWN_STEP",
  /** workflow.cancel. */
  cancelled: "E_CANCELLED",
  /** A bug in the engine while handling an event (the execution fails rather than waiting forever). */
  internal: "E_INTERNAL",
} as const;

/** Thrown inside the engine to abandon the current step run; caught where the run is handled. */
export class StepFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly callError?: JsonValue,
  ) {
    super(message);
    this.name = "StepFailure";
  }
}
