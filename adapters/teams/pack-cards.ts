// Greedy packing of card elements into as few bodies as fit a size test. Groups (a section, a
// matrix block) are kept together when they fit on one card; a group too large for an empty
// card is spread over several, and a single text too large is cut into pieces. Nothing is lost.

export type Element = Record<string, unknown>;

function splitText(el: Element): Element[] {
  const value = typeof el.text === 'string' ? el.text : '';
  if (value.length < 2) throw new Error('A single card element is larger than the message budget and cannot be split.');
  // Cut at a line break or space near the middle, so words stay whole where possible.
  const mid = Math.floor(value.length / 2);
  const at = Math.max(value.lastIndexOf('\n', mid), value.lastIndexOf(' ', mid));
  const cut = at > mid / 2 ? at + 1 : mid;
  return [{ ...el, text: value.slice(0, cut) }, { ...el, text: value.slice(cut), spacing: 'none' }];
}

export function packBodies(groups: Element[][], fits: (body: Element[]) => boolean): Element[][] {
  const bodies: Element[][] = [];
  let current: Element[] = [];
  const flush = () => {
    if (current.length > 0) bodies.push(current);
    current = [];
  };
  const addOne = (el: Element): void => {
    if (fits([...current, el])) {
      current.push(el);
      return;
    }
    if (current.length > 0) {
      flush();
      addOne(el);
      return;
    }
    for (const part of splitText(el)) addOne(part);
  };
  for (const group of groups) {
    if (fits([...current, ...group])) current.push(...group);
    else if (current.length > 0 && fits(group)) {
      flush();
      current.push(...group);
    } else for (const el of group) addOne(el);
  }
  flush();
  return bodies;
}
