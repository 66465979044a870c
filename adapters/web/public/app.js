// Lab console client: renders the channel (top-level messages with their thread replies beneath),
// sends commands and button clicks as JSON, and applies live updates from server-sent events.
'use strict';
const $ = (id) => document.getElementById(id);
let persona = new URLSearchParams(location.search).get('persona') || '';
let source;
const messages = new Map();

async function api(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) {
    const err = await res.json().catch(() => ({ error: res.statusText }));
    alert(err.error || 'request failed');
  }
  return res;
}

function place(m) {
  let li = document.getElementById(m.id);
  if (!li) {
    li = document.createElement('li');
    li.id = m.id;
    li.className = 'msg';
    const parent = m.threadId && document.getElementById(m.threadId);
    if (parent) {
      let thread = parent.querySelector(':scope > ol.thread');
      if (!thread) {
        thread = document.createElement('ol');
        thread.className = 'thread';
        parent.appendChild(thread);
      }
      thread.appendChild(li);
    } else $('messages').appendChild(li);
  }
  li.classList.toggle('ephemeral', m.ephemeral);
  let body = li.querySelector(':scope > .body');
  if (!body) {
    body = document.createElement('div');
    body.className = 'body';
    li.prepend(body);
  }
  body.innerHTML = m.html + (m.ephemeral ? '<div class="only-you">Only visible to you</div>' : '');
  messages.set(m.id, m);
}

async function load() {
  const state = await (await fetch(`/api/state?persona=${encodeURIComponent(persona)}`)).json();
  if (!persona) persona = state.personas[0].id;
  $('persona').innerHTML = state.personas.map((p) => `<option value="${p.id}">${p.label}</option>`).join('');
  $('persona').value = persona;
  $('scenario').innerHTML = state.scenarios.map((s) => `<option>${s}</option>`).join('');
  if (state.scenario) $('scenario').value = state.scenario;
  $('messages').innerHTML = '';
  messages.clear();
  state.messages.forEach(place);
  if (source) source.close();
  source = new EventSource(`/api/events?persona=${encodeURIComponent(persona)}`);
  source.addEventListener('posted', (e) => place(JSON.parse(e.data)));
  source.addEventListener('updated', (e) => place(JSON.parse(e.data)));
  document.body.dataset.persona = persona;
}

$('persona').addEventListener('change', (e) => {
  persona = e.target.value;
  history.replaceState(null, '', `?persona=${encodeURIComponent(persona)}`);
  load();
});
$('scenario').addEventListener('change', (e) => api('/api/scenario', { file: e.target.value }));
$('composer').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('command').value.trim();
  if (!text) return;
  $('command').value = '';
  await api('/api/command', { persona, channelId: 'incident', text });
});
document.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  // Approve and Roll back ask first: the first click arms the button and says what it will do.
  if (button.dataset.confirm && button.dataset.armed !== '1') {
    button.dataset.armed = '1';
    button.dataset.label = button.textContent;
    button.textContent = button.dataset.confirmYes;
    button.title = button.dataset.confirm;
    const note = document.createElement('span');
    note.className = 'confirm-note';
    note.textContent = `${button.dataset.confirm} Click "${button.dataset.confirmYes}" to go on.`;
    button.after(note);
    return;
  }
  const li = button.closest('li.msg');
  const select = button.parentElement.querySelector('select');
  button.disabled = true;
  const body = { persona, messageId: li.id, action: button.dataset.action, recordId: button.dataset.record };
  if (select) body.value = select.value;
  await api('/api/action', body);
  setTimeout(() => (button.disabled = false), 1500);
});
load();
