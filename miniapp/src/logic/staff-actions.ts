/** The staff action forms and queues live in shared/ (the desktop console uses them too). */
export {
  ACTION_SPECS,
  actionLabel,
  buildActionBody,
  offeredActions,
  overdueFirst,
  queueTabs,
  worksCases,
  type ActionForm,
  type ActionSpec,
  type BuiltAction,
  type NoteKey,
  type QueueTab,
} from '@ssp/shared';
