/* trust-ledger explorer: vanilla JS over the resolver's JSON APIs (same origin), no build step.
 *
 * Routes (location.hash): #/ the trust hierarchy, #/entity/<DID> one entity, #/demo the issuer and
 * verifier demos. Everything shown is set with textContent (never innerHTML), so nothing read from
 * the ledger is interpreted as markup.
 */
(() => {
  "use strict";

  const BASE = new URL(".", document.baseURI); // .../explorer/
  const ROOT = new URL("..", BASE); // the resolver, on the same origin
  const view = document.getElementById("view");
  const STATUSES = ["active", "suspended", "revoked"];
  const MAX_CELLS = 512 * 512; // status-list picture: at most this many cells (bits per cell grows)
  const MAX_LIST_BYTES = 2 * 1024 * 1024; // as the resolver's codec: 16,777,216 entries
  const SHOWN_INDICES = 200;
  const POLL_MS = 1000;
  const SAMPLES = { name: "Alice", employee_no: "7" };

  let generation = 0; // bumped on every navigation: stale renders and polls stop

  /* ---------- small helpers ---------- */

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, body, url) {
      const text = body && (body.detail || body.message || body.title || body.error);
      super(`HTTP ${status}${text ? `: ${text}` : ""}`);
      this.status = status;
      this.body = body;
      this.url = url;
    }
  }

  async function getJson(url, init, accept = []) {
    const response = await fetch(url, { cache: "no-store", ...init });
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok && !accept.includes(response.status)) throw new ApiError(response.status, body, url);
    return body;
  }

  const resolver = (path) => new URL(String(path).replace(/^\/+/, ""), ROOT);
  const own = (path) => new URL(path, BASE);
  const didPath = (did) => encodeURIComponent(did);
  const entityHref = (did) => `#/entity/${encodeURIComponent(did)}`;

  function iso(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "number") return new Date(value * 1000).toISOString().replace(".000Z", "Z");
    return String(value);
  }

  function statusClass(status) {
    return STATUSES.includes(status) ? `status-${status}` : "status-unknown";
  }

  function badge(status, text, extra = "") {
    return el("span", { class: `badge ${statusClass(status)} ${extra}`.trim() }, text || status);
  }

  function errorBox(error, what) {
    return el("div", { class: "error", role: "alert" }, `${what}: ${error.message || error}`);
  }

  function section(id, title, ...children) {
    return el("section", { id, class: "panel" }, el("h3", {}, title), ...children);
  }

  function table(headers, rows, attrs) {
    return el(
      "table",
      attrs || {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows),
    );
  }

  function entityLink(did, text) {
    return el("a", { href: entityHref(did), class: "entity-link" }, text || did);
  }

  function fill(node, ...children) {
    const present = (c) => c !== null && c !== undefined && c !== false;
    node.replaceChildren(...children.flat(Infinity).filter(present));
  }

  function show(...children) {
    fill(view, ...children);
  }

  /* ---------- freshness (header) ---------- */

  async function refreshFreshness() {
    const target = document.getElementById("freshness");
    try {
      const health = await getJson(resolver("health"), {}, [503]);
      const f = (health && health.freshness) || {};
      const chain =
        f.chainReachable === false ? "chain unreachable" : f.chainReachable ? "chain reachable" : "";
      target.textContent = [
        f.blockNumber !== null && f.blockNumber !== undefined ? `block ${f.blockNumber}` : "no block yet",
        f.blockTime ? iso(f.blockTime) : "",
        chain,
      ]
        .filter(Boolean)
        .join(" · ");
      target.className = `freshness ${health && health.status === "ok" ? "ok" : "degraded"}`;
      showHaltBanner(health);
    } catch (error) {
      target.textContent = "resolver unreachable";
      target.className = "freshness degraded";
    }
  }

  /* A halted follower (or one that no longer reaches the chain) freezes the views: say so on
     every page, with the block and the reason, since issuers and verifiers then refuse. */
  function showHaltBanner(health) {
    const banner = document.getElementById("halt-banner");
    const follower = health && health.follower;
    let text = "";
    if (follower && follower.halted) {
      text =
        `The ledger follower halted at block ${follower.haltedBlock}: ${follower.haltedReason}. ` +
        "These views are frozen; issuers and verifiers refuse (TRUST_DATA_STALE) until it follows again.";
    } else if (follower && follower.chainReachable === false) {
      const since = follower.lastPassAt ? ` since ${new Date(follower.lastPassAt * 1000).toISOString()}` : "";
      text = `The ledger follower cannot reach the chain${since}: these views may be stale.`;
    }
    banner.textContent = text;
    banner.hidden = !text;
  }

  /* ---------- the trust hierarchy ---------- */

  async function allEntities() {
    const items = [];
    for (let page = 1; ; page += 1) {
      const body = await getJson(resolver(`1.0/trust-list?size=100&page=${page}`));
      items.push(...body.items);
      if (items.length >= body.total || body.items.length === 0) return items;
    }
  }

  function effectiveOf(item) {
    const eff = item.effectiveStatus || {};
    return { status: eff.status || item.status, own: eff.ownStatus || item.status, because: eff.becauseOf };
  }

  function nodeRow(item) {
    const eff = effectiveOf(item);
    const types = (item.accreditations || []).map((a) => a.credentialType);
    return el(
      "span",
      { class: "row" },
      el("span", { class: `dot ${statusClass(eff.status)}`, title: `effectively ${eff.status}` }),
      entityLink(item.did, item.name || "(root)"),
      el("code", { class: "did" }, item.did),
      badge(eff.own, eff.own, "own-status"),
      eff.status !== eff.own
        ? el(
            "span",
            { class: "effective" },
            badge(eff.status, `effectively ${eff.status}`, "effective-status"),
            el(
              "span",
              { class: "because" },
              " because of ",
              entityLink(eff.because || "", eff.because || "?"),
            ),
          )
        : null,
      types.length ? el("span", { class: "types" }, types.join(", ")) : null,
    );
  }

  function treeNode(item, childrenOf) {
    const eff = effectiveOf(item);
    const kids = childrenOf.get(item.did) || [];
    const attrs = {
      class: `node eff-${eff.status}`,
      dataset: {
        did: item.did,
        status: eff.own,
        effectiveStatus: eff.status,
        becauseOf: eff.because || "",
        search: `${item.name} ${item.did}`.toLowerCase(),
      },
    };
    if (!kids.length) return el("li", attrs, el("div", { class: "leaf" }, nodeRow(item)));
    return el(
      "li",
      attrs,
      el(
        "details",
        { open: true },
        el("summary", {}, nodeRow(item)),
        el(
          "ul",
          {},
          kids.map((kid) => treeNode(kid, childrenOf)),
        ),
      ),
    );
  }

  function applyFilter(tree, text) {
    const query = text.trim().toLowerCase();
    const visit = (li) => {
      const childList = li.querySelector(":scope > details > ul");
      let childMatch = false;
      if (childList) for (const kid of childList.children) childMatch = visit(kid) || childMatch;
      const match = !query || li.dataset.search.includes(query);
      li.hidden = !(match || childMatch);
      if (query && childMatch) li.querySelector(":scope > details").open = true;
      return match || childMatch;
    };
    for (const li of tree.children) visit(li);
  }

  async function renderTree(gen) {
    show(el("p", { class: "loading" }, "Reading the trust list…"));
    const items = await allEntities();
    if (gen !== generation) return;
    const byDid = new Map(items.map((item) => [item.did, item]));
    const childrenOf = new Map();
    const roots = [];
    for (const item of items) {
      if (item.parent && byDid.has(item.parent)) {
        if (!childrenOf.has(item.parent)) childrenOf.set(item.parent, []);
        childrenOf.get(item.parent).push(item);
      } else {
        roots.push(item);
      }
    }
    const byName = (a, b) => (a.name || a.did).localeCompare(b.name || b.did);
    for (const list of childrenOf.values()) list.sort(byName);
    roots.sort(byName);

    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    let inherited = 0;
    for (const item of items) {
      const eff = effectiveOf(item);
      counts[eff.status] = (counts[eff.status] || 0) + 1;
      if (eff.status !== eff.own) inherited += 1;
    }
    const tree = el(
      "ul",
      { class: "tree", id: "tree" },
      roots.map((root) => treeNode(root, childrenOf)),
    );
    const filter = el("input", {
      type: "search",
      id: "tree-filter",
      placeholder: "Filter by name or DID",
      oninput: (event) => applyFilter(tree, event.target.value),
    });
    const setOpen = (open) => () => {
      for (const details of tree.querySelectorAll("details")) details.open = open;
    };
    show(
      el(
        "section",
        { class: "panel", id: "hierarchy" },
        el("h2", {}, "Trust hierarchy"),
        el(
          "p",
          { class: "summary", id: "tree-summary" },
          `${items.length} entities: ${counts.active} active, ${counts.suspended} suspended, ` +
            `${counts.revoked} revoked (effective status; ${inherited} only because of an ancestor).`,
        ),
        el(
          "div",
          { class: "toolbar" },
          filter,
          el("button", { type: "button", onclick: setOpen(true) }, "Expand all"),
          el("button", { type: "button", onclick: setOpen(false) }, "Collapse all"),
          el(
            "span",
            { class: "legend" },
            STATUSES.map((s) => el("span", {}, el("span", { class: `dot ${statusClass(s)}` }), s)),
          ),
        ),
        tree,
      ),
    );
  }

  /* ---------- one entity ---------- */

  function rolesText(roles) {
    if (!roles || !roles.length) return "—";
    return roles
      .map((role) => {
        const names = role.names || role.roles || [];
        return `${role.target || "?"} → ${Array.isArray(names) ? names.join(", ") : names}`;
      })
      .join("; ");
  }

  function accreditationsSection(entity) {
    const rows = (entity.accreditations || []).map((a) =>
      el(
        "tr",
        { class: "accreditation", dataset: { type: a.credentialType } },
        el("td", {}, a.credentialType),
        el("td", { class: "roles" }, rolesText(a.roles)),
        el("td", {}, iso(a.validFrom)),
        el("td", {}, a.validUntil ? iso(a.validUntil) : "open-ended"),
        el("td", {}, iso(a.grantedAt)),
      ),
    );
    return section(
      "accreditations",
      "Accreditations",
      rows.length
        ? table(["Credential type", "Roles per target", "Valid from", "Valid until", "Granted"], rows)
        : el("p", { class: "empty" }, "No accreditations."),
    );
  }

  function keysSection(entity) {
    const rows = (entity.keys || []).map((k) =>
      el(
        "tr",
        { class: `key ${k.revoked ? "revoked" : ""}`.trim() },
        el("td", {}, el("code", {}, k.id)),
        el("td", {}, k.type || "—"),
        el("td", {}, (k.purposes || []).join(", ") || "—"),
        el("td", {}, iso(k.validFrom)),
        el("td", {}, k.validUntil ? iso(k.validUntil) : "open-ended"),
        el("td", {}, k.revoked ? `revoked ${iso(k.revokedAt)}` : "no"),
        el("td", {}, iso(k.addedAt)),
      ),
    );
    return section(
      "keys",
      "Keys",
      rows.length
        ? table(["Key", "Type", "Purposes", "Valid from", "Valid until", "Revoked", "Added"], rows)
        : el("p", { class: "empty" }, "No keys."),
    );
  }

  function servicesSection(entity) {
    const services = entity.services || [];
    if (!services.length) return null;
    return section(
      "services",
      "Services",
      table(
        ["Service", "Type", "Endpoint"],
        services.map((s) =>
          el(
            "tr",
            {},
            el("td", {}, el("code", {}, s.id)),
            el("td", {}, s.type || "—"),
            el("td", {}, el("code", {}, JSON.stringify(s.serviceEndpoint))),
          ),
        ),
      ),
    );
  }

  function historySection(entity) {
    const rows = (entity.history || []).map((h) =>
      el(
        "tr",
        {
          class: "history-row",
          dataset: { version: h.version, blockNumber: h.blockNumber, txHash: h.txHash, event: h.event },
        },
        el("td", {}, h.version),
        el("td", { class: "event" }, h.event),
        el("td", {}, el("code", { class: "address" }, h.by)),
        el("td", { class: "block-number" }, h.blockNumber),
        el("td", { class: "block-time" }, iso(h.blockTime)),
        el("td", {}, el("code", { class: "tx-hash" }, h.txHash)),
        el("td", {}, h.logIndex),
      ),
    );
    return section(
      "history",
      "History",
      el("p", { class: "hint" }, "Every change as it happened on chain, oldest first."),
      table(["Version", "Event", "By", "Block", "Block time", "Transaction", "Log"], rows, {
        class: "history",
      }),
    );
  }

  function childrenSection(entity, subtree) {
    const kids = subtree.filter((item) => item.parent === entity.did);
    return section(
      "children",
      "Children",
      kids.length
        ? el(
            "ul",
            { class: "children" },
            kids.map((item) => el("li", { dataset: { did: item.did } }, nodeRow(item))),
          )
        : el("p", { class: "empty" }, "No children."),
    );
  }

  function summarySection(entity) {
    const eff = effectiveOf(entity);
    const ancestry = (entity.ancestry || []).map((a) =>
      el("li", {}, entityLink(a.did, a.name || a.did), " ", badge(a.status, a.status)),
    );
    const facts = [
      ["DID", el("code", {}, entity.did)],
      ["Own status", badge(eff.own, eff.own, "own-status")],
      [
        "Effective status",
        el(
          "span",
          { id: "effective-status", dataset: { status: eff.status, becauseOf: eff.because || "" } },
          badge(eff.status, eff.status, "effective-status"),
          eff.because ? el("span", { class: "because" }, " because of ", entityLink(eff.because)) : null,
        ),
      ],
      ["Controller", el("code", {}, entity.controller || "—")],
      ["Node", el("code", {}, entity.node || "—")],
      [
        "Anchor",
        entity.anchor ? `chain ${entity.anchor.chainId}, contract ${entity.anchor.contract}` : "—",
      ],
      ["Version", entity.version],
      ["Created", iso(entity.created)],
      ["Updated", iso(entity.updated)],
    ];
    return el(
      "section",
      { class: "panel", id: "entity-summary" },
      el(
        "h2",
        {},
        el("span", { class: `dot ${statusClass(eff.status)}` }),
        entity.name || "(root)",
        " ",
        el("code", { class: "did" }, entity.did),
      ),
      ancestry.length
        ? el("ol", { class: "ancestry", "aria-label": "ancestry, from the root" }, ancestry)
        : el("p", { class: "hint" }, "The trust anchor: the root of the hierarchy."),
      el(
        "dl",
        { class: "facts" },
        facts.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
      ),
    );
  }

  function documentSection(resolution) {
    if (resolution instanceof Error) {
      return section("did-document", "DID document", errorBox(resolution, "DID resolution failed"));
    }
    const documentJson = resolution.didDocument;
    const metadata = {
      didDocumentMetadata: resolution.didDocumentMetadata,
      didResolutionMetadata: resolution.didResolutionMetadata,
    };
    return section(
      "did-document",
      "DID document",
      documentJson
        ? el("pre", { class: "json", id: "did-document-json" }, JSON.stringify(documentJson, null, 2))
        : el("p", { class: "empty" }, "No DID document (deactivated)."),
      el(
        "details",
        {},
        el("summary", {}, "Resolution metadata"),
        el("pre", { class: "json" }, JSON.stringify(metadata, null, 2)),
      ),
    );
  }

  /* ---------- status lists ---------- */

  async function inflateList(encoded) {
    let text = String(encoded).trim();
    if (text.startsWith("u")) text = text.slice(1); // multibase base64url
    text = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    while (text.length % 4) text += "=";
    const binary = atob(text);
    const compressed = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) compressed[i] = binary.charCodeAt(i);
    const reader = new Blob([compressed]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    const chunks = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > MAX_LIST_BYTES) {
        await reader.cancel();
        throw new Error(`the list inflates beyond ${MAX_LIST_BYTES} bytes`);
      }
      chunks.push(value);
    }
    const bits = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      bits.set(chunk, offset);
      offset += chunk.length;
    }
    return bits;
  }

  function setIndices(bits, size) {
    const found = [];
    const limit = Math.min(size, bits.length * 8);
    for (let byte = 0; byte < bits.length; byte += 1) {
      const value = bits[byte];
      if (!value) continue;
      for (let bit = 0; bit < 8; bit += 1) {
        const index = byte * 8 + bit;
        if (index < limit && (value >> (7 - bit)) & 1) found.push(index); // MSB first
      }
    }
    return found;
  }

  function drawBits(canvas, size, indices) {
    const perCell = Math.max(1, Math.ceil(size / MAX_CELLS));
    const cells = Math.max(1, Math.ceil(size / perCell));
    const cols = Math.min(512, cells);
    const rows = Math.ceil(cells / cols);
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(cols, rows);
    const pixels = image.data;
    for (let i = 0; i < pixels.length; i += 4) {
      const cell = i / 4;
      const unused = cell >= cells;
      pixels[i] = unused ? 255 : 226;
      pixels[i + 1] = unused ? 255 : 232;
      pixels[i + 2] = unused ? 255 : 240;
      pixels[i + 3] = 255;
    }
    const setCells = new Set(indices.map((index) => Math.floor(index / perCell)));
    for (const cell of setCells) {
      const p = cell * 4;
      pixels[p] = 198;
      pixels[p + 1] = 40;
      pixels[p + 2] = 40;
    }
    ctx.putImageData(image, 0, 0);
    // a faint ring around the first few hundred set cells, so a lone bit is easy to find
    ctx.strokeStyle = "rgba(198, 40, 40, 0.45)";
    ctx.lineWidth = 1;
    let ringed = 0;
    for (const cell of setCells) {
      if (ringed++ > 500) break;
      const x = cell % cols;
      const y = Math.floor(cell / cols);
      ctx.strokeRect(x - 2.5, y - 2.5, 6, 6);
    }
    return { perCell, cols, rows, cells, setCells };
  }

  async function statusListBlock(ref, gen) {
    const block = el(
      "div",
      { class: "status-list", dataset: { listId: ref.listId, purpose: ref.purpose, ready: "false" } },
      el("h4", {}, `List ${ref.listId}: ${ref.purpose}`, " ", el("span", { class: "uri" }, ref.uri || "")),
      el("p", { class: "loading" }, "Decoding…"),
    );
    try {
      const list = await getJson(resolver(ref.href || `1.0/status-lists/${ref.listId}`));
      if (gen !== generation) return block;
      const bits = await inflateList(list.encodedList);
      const size = list.size || bits.length * 8;
      const indices = setIndices(bits, size);
      const canvas = el("canvas", {
        class: "bits",
        role: "img",
        "aria-label": `${indices.length} of ${size} entries set`,
      });
      const drawn = drawBits(canvas, size, indices);
      const hover = el("span", { class: "hover" }, "Point at the picture for an entry.");
      canvas.addEventListener("mousemove", (event) => {
        const rect = canvas.getBoundingClientRect();
        const x = Math.floor(((event.clientX - rect.left) * canvas.width) / rect.width);
        const y = Math.floor(((event.clientY - rect.top) * canvas.height) / rect.height);
        const cell = y * drawn.cols + x;
        if (cell < 0 || cell >= drawn.cells) return;
        const first = cell * drawn.perCell;
        const last = Math.min(size, first + drawn.perCell) - 1;
        const label = first === last ? `entry ${first}` : `entries ${first}–${last}`;
        hover.textContent = `${label}: ${drawn.setCells.has(cell) ? "set" : "not set"}`;
      });
      const shown = indices.slice(0, SHOWN_INDICES);
      block.dataset.size = String(size);
      block.dataset.setCount = String(indices.length);
      block.dataset.setIndices = indices.slice(0, 1000).join(",");
      block.dataset.blockNumber = String(list.blockNumber);
      block.lastElementChild.replaceWith(
        el(
          "p",
          { class: "summary" },
          el("strong", { class: "set-count" }, String(indices.length)),
          ` of ${size} entries set`,
          drawn.perCell > 1 ? ` (one cell per ${drawn.perCell} entries)` : "",
          ` · block ${list.blockNumber} · ${iso(list.blockTime)} · tx `,
          el("code", { class: "tx-hash" }, list.txHash),
        ),
        canvas,
        el("p", { class: "hover-line" }, hover),
        el(
          "p",
          { class: "indices" },
          indices.length ? `Set: ${shown.join(", ")}` : "No entry set.",
          indices.length > shown.length ? ` … and ${indices.length - shown.length} more` : "",
        ),
      );
      block.dataset.ready = "true";
    } catch (error) {
      block.lastElementChild.replaceWith(errorBox(error, "Could not read this status list"));
      block.dataset.ready = "error";
    }
    return block;
  }

  async function statusListsSection(entity, gen) {
    const lists = entity.statusLists || [];
    const target = section(
      "status-lists",
      "Status lists",
      lists.length
        ? el(
            "p",
            { class: "hint" },
            "Each cell is an entry (W3C Bitstring Status List, MSB first, decoded here with " +
              "DecompressionStream); red entries are set: revoked or suspended, by the list's purpose.",
          )
        : el("p", { class: "empty" }, "This entity owns no status lists."),
    );
    const blocks = await Promise.all(lists.map((ref) => statusListBlock(ref, gen)));
    target.append(...blocks);
    return target;
  }

  async function renderEntity(gen, did) {
    show(el("p", { class: "loading" }, `Reading ${did}…`));
    let entity;
    try {
      entity = await getJson(resolver(`1.0/entities/${didPath(did)}`));
    } catch (error) {
      if (gen !== generation) return;
      show(
        el("p", {}, el("a", { href: "#/" }, "← Trust hierarchy")),
        errorBox(error, `Cannot show ${did}`),
      );
      return;
    }
    const [resolution, subtree, lists] = await Promise.all([
      getJson(
        resolver(`1.0/identifiers/${didPath(did)}`),
        { headers: { Accept: "application/did-resolution" } },
        [410],
      ).catch((error) => error),
      getJson(resolver(`1.0/trust-list?size=100&subtree=${encodeURIComponent(did)}`))
        .then((body) => body.items)
        .catch(() => []),
      statusListsSection(entity, gen),
    ]);
    if (gen !== generation) return;
    show(
      el("p", {}, el("a", { href: "#/" }, "← Trust hierarchy")),
      el(
        "article",
        { id: "entity", dataset: { did: entity.did } },
        summarySection(entity),
        accreditationsSection(entity),
        keysSection(entity),
        servicesSection(entity),
        childrenSection(entity, subtree),
        lists,
        historySection(entity),
        documentSection(resolution),
      ),
    );
  }

  /* ---------- the issuer and verifier demos ---------- */

  async function postOwn(path, body) {
    return getJson(own(path), {
      method: "POST",
      // the page's Referrer-Policy (no-referrer) would make the browser send `Origin: null`;
      // the demo endpoints accept only this explorer's origin
      referrerPolicy: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
  }

  function notConfigured(what) {
    return el(
      "p",
      { class: "not-configured", id: `${what}-not-configured` },
      `The ${what} demo is not configured on this server. Run \`trust-ledger dev\`: it serves the ` +
        `explorer with its demo ${what}, whose Access-Token stays on the server.`,
    );
  }

  function qrImage(id, src, alt) {
    return src && String(src).startsWith("data:image/") ? el("img", { id, class: "qr", src, alt }) : null;
  }

  function copyButton(text) {
    return el(
      "button",
      {
        type: "button",
        class: "copy",
        onclick: (event) => {
          if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
          event.target.textContent = "Copied";
        },
      },
      "Copy",
    );
  }

  function issuerPanel(config) {
    const panel = el("section", { class: "panel demo", id: "issuer-demo" }, el("h2", {}, "Issuer demo"));
    if (!config.configured) {
      panel.append(notConfigured("issuer"));
      return panel;
    }
    const templates = Object.entries(config.templates || {});
    const output = el("div", { id: "issuer-output", class: "output" });
    const fieldsBox = el("div", { class: "fields" });
    const select = el(
      "select",
      { id: "issuer-template" },
      templates.map(([uid]) => el("option", { value: uid }, uid)),
    );
    const drawFields = () => {
      const fields = (config.templates || {})[select.value] || [];
      fill(fieldsBox,
        ...fields.map((name) =>
          el(
            "label",
            {},
            el("span", {}, name),
            el("input", {
              type: "text",
              id: `issuer-field-${name}`,
              "data-field": name,
              value: SAMPLES[name] || "demo",
              required: true,
            }),
          ),
        ),
      );
    };
    select.addEventListener("change", drawFields);
    drawFields();
    const button = el("button", { type: "submit", id: "issuer-offer" }, "Create a credential offer");
    const form = el(
      "form",
      {
        class: "demo-form",
        onsubmit: async (event) => {
          event.preventDefault();
          const fields = {};
          for (const input of fieldsBox.querySelectorAll("input")) fields[input.dataset.field] = input.value;
          button.disabled = true;
          fill(output, el("p", { class: "loading" }, "Asking the issuer (DWVC-101)…"));
          try {
            const offer = await postOwn("api/issuer/offer", { vcUid: select.value, fields });
            fill(output,
              qrImage("issuer-qr", offer.qrCode, "credential offer QR code"), // DWVC-101: a data URL
              el(
                "p",
                {},
                "Deep link: ",
                el("a", { id: "issuer-deeplink", href: offer.deepLink, class: "deeplink" }, offer.deepLink),
                " ",
                copyButton(offer.deepLink),
              ),
              offer.txCode
                ? el("p", {}, "Transaction code: ", el("code", { id: "issuer-txcode" }, offer.txCode))
                : null,
              el(
                "p",
                { class: "hint" },
                "Transaction ",
                el("code", { id: "issuer-transaction" }, offer.transactionId),
                ". Scan it with a wallet, or: trust-ledger wallet accept '<deep link>'.",
              ),
            );
          } catch (error) {
            fill(output, errorBox(error, "The offer failed"));
          } finally {
            button.disabled = false;
          }
        },
      },
      el("label", {}, el("span", {}, "Template"), select),
      fieldsBox,
      button,
    );
    panel.append(
      el(
        "p",
        { class: "hint" },
        "Issuer ",
        el("code", {}, config.did || "?"),
        ": the server holds its Access-Token.",
      ),
      form,
      output,
    );
    return panel;
  }

  function resultView(result) {
    const ok = result.verifyResult === true;
    const claims = [];
    for (const credential of result.data || []) {
      for (const claim of credential.claims || []) {
        claims.push(
          el(
            "tr",
            { class: "claim", dataset: { ename: claim.ename } },
            el("td", {}, credential.credentialType || "—"),
            el("td", {}, el("code", {}, credential.issuer || "—")),
            el("td", {}, claim.cname || claim.ename),
            el("td", {}, el("code", {}, claim.ename)),
            el(
              "td",
              { class: "value" },
              typeof claim.value === "string" ? claim.value : JSON.stringify(claim.value),
            ),
          ),
        );
      }
    }
    const reasons = (result.reasons || []).map((reason) =>
      el(
        "tr",
        { class: "reason" },
        el("td", { class: "reason-code" }, reason.code),
        el("td", {}, reason.message || ""),
        el("td", {}, reason.credentialQuery || "—"),
      ),
    );
    return el(
      "div",
      { id: "verifier-result", dataset: { verifyResult: String(ok) } },
      el(
        "p",
        { class: `verdict ${ok ? "status-active" : "status-revoked"}` },
        ok ? "✔ verifyResult: true" : "✘ verifyResult: false",
      ),
      result.resultDescription ? el("p", { id: "verifier-description" }, result.resultDescription) : null,
      result.holder_did ? el("p", {}, "Holder ", el("code", {}, result.holder_did)) : null,
      claims.length
        ? table(["Credential", "Issuer", "Claim", "Name", "Value"], claims, { id: "verifier-claims" })
        : null,
      reasons.length ? table(["Reason code", "Message", "Query"], reasons, { id: "verifier-reasons" }) : null,
      result.trustSource
        ? el("p", { class: "hint" }, `Trust source: ${JSON.stringify(result.trustSource)}`)
        : null,
    );
  }

  function verifierPanel(config, gen) {
    const panel = el("section", { class: "panel demo", id: "verifier-demo" }, el("h2", {}, "Verifier demo"));
    if (!config.configured) {
      panel.append(notConfigured("verifier"));
      return panel;
    }
    const output = el("div", { id: "verifier-output", class: "output" });
    const select = el(
      "select",
      { id: "verifier-ref" },
      (config.refs || []).map((ref) => el("option", { value: ref }, ref)),
    );
    const button = el("button", { type: "submit", id: "verifier-request" }, "Request a presentation");
    let polling = 0; // the current request; a new one stops the previous poll
    const poll = async (mine, transactionId, state) => {
      if (gen !== generation || mine !== polling) return;
      try {
        const path = `api/verifier/requests/${encodeURIComponent(transactionId)}/result`;
        const answer = await getJson(own(path));
        if (gen !== generation || mine !== polling) return;
        if (answer.state === "pending") {
          state.dataset.state = "pending";
          state.textContent = "Waiting for the wallet to answer…";
          setTimeout(() => poll(mine, transactionId, state), POLL_MS);
          return;
        }
        state.dataset.state = answer.state;
        if (answer.state === "expired") {
          state.textContent = `The request expired: ${answer.message || ""}`;
          return;
        }
        state.textContent = "The wallet answered.";
        output.append(resultView(answer.result || {}));
      } catch (error) {
        if (gen !== generation || mine !== polling) return;
        state.dataset.state = "error";
        fill(state, errorBox(error, "Reading the result failed"));
      }
    };
    const form = el(
      "form",
      {
        class: "demo-form",
        onsubmit: async (event) => {
          event.preventDefault();
          polling += 1;
          const mine = polling;
          button.disabled = true;
          fill(output, el("p", { class: "loading" }, "Asking the verifier (DWVP-01-101)…"));
          try {
            const request = await postOwn("api/verifier/requests", { ref: select.value });
            const state = el(
              "p",
              { id: "verifier-state", class: "state", dataset: { state: "pending" } },
              "Waiting for the wallet to answer…",
            );
            fill(output,
              qrImage("verifier-qr", request.qrcodeImage, "presentation request QR code"),
              el(
                "p",
                {},
                "authUri: ",
                el(
                  "a",
                  { id: "verifier-authuri", href: request.authUri, class: "deeplink" },
                  request.authUri,
                ),
                " ",
                copyButton(request.authUri),
              ),
              el(
                "p",
                { class: "hint" },
                "Transaction ",
                el("code", { id: "verifier-transaction" }, request.transactionId),
                ". Present with a wallet, or: trust-ledger wallet present '<authUri>' --yes.",
              ),
              state,
            );
            setTimeout(() => poll(mine, request.transactionId, state), POLL_MS);
          } catch (error) {
            fill(output, errorBox(error, "The presentation request failed"));
          } finally {
            button.disabled = false;
          }
        },
      },
      el("label", {}, el("span", {}, "Verification template"), select),
      button,
    );
    panel.append(
      el(
        "p",
        { class: "hint" },
        "Verifier ",
        el("code", {}, config.did || "?"),
        ": the server opens the request and reads the result (DWVP-01-201) with its Access-Token.",
      ),
      form,
      output,
    );
    return panel;
  }

  async function renderDemo(gen) {
    show(el("p", { class: "loading" }, "Reading the demo configuration…"));
    const config = await getJson(own("api/config"));
    if (gen !== generation) return;
    show(
      el(
        "div",
        { class: "demos" },
        issuerPanel(config.issuer || {}),
        verifierPanel(config.verifier || {}, gen),
      ),
    );
  }

  /* ---------- routing ---------- */

  async function render() {
    generation += 1;
    const gen = generation;
    const hash = location.hash.replace(/^#/, "") || "/";
    for (const link of document.querySelectorAll("nav a")) {
      link.classList.toggle("current", link.getAttribute("href") === `#${hash}`);
    }
    refreshFreshness();
    try {
      if (hash === "/") await renderTree(gen);
      else if (hash.startsWith("/entity/")) await renderEntity(gen, decodeURIComponent(hash.slice(8)));
      else if (hash === "/demo") await renderDemo(gen);
      else show(el("p", {}, "Nothing here. ", el("a", { href: "#/" }, "The trust hierarchy")));
    } catch (error) {
      if (gen === generation) show(errorBox(error, "The explorer could not read the resolver"));
    }
    if (gen === generation) view.dataset.route = hash;
  }

  /* ---------- the footer's API list names the issuer and verifier only where they run ---------- */

  getJson(own("api/config"))
    .then((config) => {
      for (const item of document.querySelectorAll("[data-module]")) {
        item.hidden = !(config[item.dataset.module] || {}).configured;
      }
    })
    .catch(() => {}); // the list stays at what the resolver alone serves

  window.addEventListener("hashchange", render);
  setInterval(refreshFreshness, 10000);
  render();
})();
