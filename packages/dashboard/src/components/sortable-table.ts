import { h, show } from '../lib/dom.ts';

// A table whose columns sort on click or Enter/Space, keeping its sort across
// live refreshes. Headers are buttons, so the keyboard reaches them; the
// sorted column says so with aria-sort.

export interface Column<Row> {
  readonly label: string;
  /** What the column sorts by; a column without one does not sort. */
  readonly sortValue?: (row: Row) => number | string | null;
  readonly cell: (row: Row) => Node | string;
  readonly numeric?: boolean;
}

export class SortableTable<Row> {
  readonly element: HTMLTableElement;
  readonly #columns: readonly Column<Row>[];
  readonly #rowKey: (row: Row) => string;
  readonly #body = h('tbody');
  readonly #head = h('tr');
  #sortBy = -1;
  #descending = false;
  #rows: readonly Row[] = [];

  constructor(caption: string, columns: readonly Column<Row>[], rowKey: (row: Row) => string) {
    this.#columns = columns;
    this.#rowKey = rowKey;
    this.element = h('table', { class: 'data' }, h('caption', {}, caption), h('thead', {}, this.#head), this.#body);
    this.#renderHead();
  }

  update(rows: readonly Row[]): void {
    this.#rows = rows;
    const column = this.#columns[this.#sortBy];
    const sorted = column?.sortValue ? [...rows].sort((a, b) => this.#compare(column, a, b)) : rows;
    show(
      this.#body,
      sorted.map((row) =>
        h(
          'tr',
          { 'data-key': this.#rowKey(row) },
          this.#columns.map((c) => h('td', { class: c.numeric ? 'num' : undefined, 'data-col': c.label }, c.cell(row))),
        ),
      ),
    );
  }

  #compare(column: Column<Row>, a: Row, b: Row): number {
    const sortValue = column.sortValue as (row: Row) => number | string | null;
    const [x, y] = [sortValue(a), sortValue(b)];
    // Rows without a figure go last whichever the direction.
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return this.#descending ? -order : order;
  }

  #renderHead(): void {
    show(
      this.#head,
      this.#columns.map((c, i) => {
        const sorted = i === this.#sortBy ? (this.#descending ? 'descending' : 'ascending') : undefined;
        const th = h('th', { scope: 'col', 'aria-sort': sorted, class: c.numeric ? 'num' : undefined });
        if (!c.sortValue) th.append(c.label);
        else
          th.append(
            h(
              'button',
              { type: 'button', class: 'sort', onclick: () => this.#sort(i) },
              c.label,
              sorted ? (this.#descending ? ' ▼' : ' ▲') : '',
            ),
          );
        return th;
      }),
    );
  }

  #sort(i: number): void {
    this.#descending = this.#sortBy === i ? !this.#descending : this.#columns[i]?.numeric === true;
    this.#sortBy = i;
    this.#renderHead();
    this.update(this.#rows);
    (this.#head.children[i]?.querySelector('button') as HTMLButtonElement | null)?.focus();
  }
}
