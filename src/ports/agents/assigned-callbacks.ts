// The call-backs an agent had taken, as disabling the agent sees them.
export interface AssignedCallbackRepository {
  /** Gives back to the queue the open call-backs (to call, called) assigned to the agent; returns how many. */
  releaseAssignedTo(agentId: string, at: Date): Promise<number>;
}
