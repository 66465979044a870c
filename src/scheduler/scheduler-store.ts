import type { AuditStore, CheckRunStore, ConversationStore, PeopleStore, ScheduleStore } from '../store/store.js';

// What the scheduler keeps in the store, and nothing else: its schedules and run claims, the
// audit of what it did, channel references to post to, who created a schedule, and a cluster's
// newest run to say what changed. The SQL store is one; a test can hand in less.
export type SchedulerStore = ScheduleStore & AuditStore & ConversationStore & PeopleStore & Pick<CheckRunStore, 'latestCheckRun'>;
