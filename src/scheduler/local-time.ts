// An instant as people in the schedule's zone read it: "Thu 26 Nov 2026, 08:00 (Europe/Paris)".
export function localTime(at: Date, tz: string): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${text} (${tz})`;
}
