// The site's search box: Pagefind's JavaScript API (pagefind/pagefind.js, made by
// `scrapy site`), results shown under the box. The only script of the site: no inline
// script, nothing from another host; results are put in with DOM calls, never as HTML.
(() => {
  "use strict";
  const script = document.currentScript;
  const root = new URL("..", script.src); // the script is at <root>/_assets/search.js
  const shown = 20;
  let pagefind = null;
  let latest = 0;

  // One search bundle a year (`scrapy site` indexes again only the years that changed): the
  // newest at pagefind/, the others listed in _assets/search-indexes.json and merged into it
  async function start() {
    const api = await import(new URL("pagefind/pagefind.js", root).href);
    await api.options({ baseUrl: root.pathname });
    let merge = [];
    try {
      const listed = await fetch(new URL("_assets/search-indexes.json", root), { cache: "no-cache" });
      merge = listed.ok ? (await listed.json()).merge || [] : [];
    } catch (error) {
      merge = [];
    }
    for (const bundle of merge) {
      try {
        await api.mergeIndex(new URL(bundle, root).pathname, { baseUrl: root.pathname });
      } catch (error) {
        // A year's bundle missing (a list cached from before a rebuild): search the others
      }
    }
    await api.init();
    return api;
  }

  function engine() {
    if (!pagefind) {
      pagefind = start();
      pagefind.catch(() => {
        pagefind = null;
      });
    }
    return pagefind;
  }

  // Pagefind's excerpt is text with <mark> around the matches: kept as text and <mark> only
  function excerptNode(excerpt) {
    const span = document.createElement("span");
    span.className = "excerpt";
    const parsed = new DOMParser().parseFromString(excerpt || "", "text/html");
    for (const node of parsed.body.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        span.appendChild(mark);
      } else {
        span.appendChild(document.createTextNode(node.textContent));
      }
    }
    return span;
  }

  // The query's pairs of neighbouring Chinese characters ("中国疫情" -> "中国 国疫 疫情"): every
  // article page lists its title's and tags' pairs for the index (render.search_terms), so a
  // title's or a tag's words are found however Pagefind cut the title into words
  const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}/g;
  function pairs(query) {
    const found = [];
    for (const run of query.match(CJK_RUN) || []) {
      for (let i = 0; i + 2 <= run.length; i++) found.push(run.slice(i, i + 2));
    }
    if (!found.length) return "";
    // The query's other words (Latin words, digits, single characters) must match too
    const others = query.replace(CJK_RUN, " ").split(/\s+/).filter(Boolean);
    return [...found, ...others].join(" ");
  }

  // Every result for a query, best first: the articles whose title or tags hold the query's
  // Chinese words, then the rest of Pagefind's own results
  async function find(query) {
    const api = await engine();
    const byPairs = pairs(query);
    const [plain, paired] = await Promise.all([
      api.search(query),
      byPairs && byPairs !== query ? api.search(byPairs) : null,
    ]);
    const seen = new Set();
    const results = [];
    for (const result of [...(paired ? paired.results : []), ...plain.results]) {
      if (!seen.has(result.id)) {
        seen.add(result.id);
        results.push(result);
      }
    }
    return results;
  }

  // An excerpt taken from the list of pairs says nothing: the article's opening instead
  const PAIR = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}";
  const PAIRS_TEXT = new RegExp(`${PAIR}(?: ${PAIR}){2}`);
  function excerptOf(data) {
    const text = (data.excerpt || "").replace(/<[^>]*>/g, "");
    if (!PAIRS_TEXT.test(text)) return excerptNode(data.excerpt);
    const title = (data.meta && data.meta.title) || "";
    let opening = (data.content || "").replace(/\s+/g, " ").trim();
    if (title && opening.startsWith(title)) opening = opening.slice(title.length).trim();
    const span = excerptNode("");
    span.textContent = opening.length > 120 ? `${opening.slice(0, 120)}…` : opening;
    return span;
  }

  async function search(query, box) {
    const ticket = ++latest;
    query = query.trim();
    if (!query) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    let found;
    try {
      found = await find(query);
    } catch (error) {
      box.hidden = false;
      box.textContent = "搜索不可用（须通过网站服务器打开本站）。";
      return;
    }
    const results = await Promise.all(found.slice(0, shown).map((r) => r.data()));
    if (ticket !== latest) return;
    const heading = document.createElement("p");
    heading.textContent = `“${query}”：${found.length} 篇文章`;
    const list = document.createElement("ol");
    for (const data of results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = new URL(data.url, root).href;
      link.className = "result";
      link.textContent = (data.meta && data.meta.title) || data.url;
      item.append(link, excerptOf(data));
      list.appendChild(item);
    }
    box.replaceChildren(heading, list);
    box.hidden = false;
  }

  // For scripts and the measurements (crawler/website/measure.py): every result's address
  window.archiveSearch = async (query) =>
    Promise.all((await find(query)).map(async (result) => (await result.data()).url));

  const form = document.querySelector("form.search");
  const box = document.getElementById("search-results");
  if (!form || !box) return;
  const input = form.querySelector("input[name=q]");
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value, box), 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    search(input.value, box);
  });
  const query = new URLSearchParams(location.search).get("q");
  if (query) {
    input.value = query;
    search(query, box);
  }
})();
