/**
 * Process settings the local runtime needs before any delivery module loads, so it is imported first.
 *
 * The X-Ray SDK (loaded by the Powertools tracer) starts in automatic mode by installing a process-wide
 * async hook that makes every promise about ten times dearer. In Lambda that cost is per function process;
 * here every function, the edge and dynalite share one process, and tracing inside the handlers is off anyway
 * (the emulator reports each invocation's segment itself). Manual mode installs no hook.
 */
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
