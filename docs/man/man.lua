-- man.lua - pandoc filter: docs/wotdns-*.md (GitHub-readable Markdown, the
-- one source of each page) to man(7) that mandoc -Tlint accepts.
-- The H1 "# wotdns-x(N)" only serves the web view: the .TH line comes from
-- the metadata man.sh passes, so H1 is dropped and ## becomes .SH.

function Header(h)
  if h.level == 1 then
    return {}
  end
  h.level = h.level - 1
  return h
end

-- Literal text (options, paths, commands) is escaped so that it copies
-- back out as typed: \- is the ASCII minus of an option, \(aq and \(ga
-- are the ASCII quotes.
local function roff_escape(text)
  text = text:gsub("\\", "\\e"):gsub("%-", "\\-")
  text = text:gsub("'", "\\(aq"):gsub("`", "\\(ga")
  if text:match("^%.") then
    text = "\\&" .. text
  end
  return text
end

-- Literal text is bold in a manual; pandoc's \f[C] and \f[V] are fonts
-- mandoc and many terminals do not have. Words stay apart so a long
-- literal can wrap like text.
function Code(c)
  local words = {}
  for w in c.text:gmatch("%S+") do
    if #words > 0 then
      table.insert(words, pandoc.Space())
    end
    -- \% : never hyphenate an option or a path at the end of a line.
    table.insert(words, pandoc.RawInline("man", "\\%" .. roff_escape(w)))
  end
  return pandoc.Strong(words)
end

function CodeBlock(cb)
  local out = { ".sp", ".RS 4", ".nf" }
  for line in (cb.text .. "\n"):gmatch("(.-)\n") do
    table.insert(out, roff_escape(line))
  end
  table.insert(out, ".fi")
  table.insert(out, ".RE")
  return pandoc.RawBlock("man", table.concat(out, "\n"))
end

-- [wotdns-sync(1)](wotdns-sync.1.md) reads as the page reference
-- \fBwotdns-sync\fR(1); a link to another document keeps its text only,
-- since a manual has nowhere to follow it to.
function Link(l)
  local name, sec = l.target:match("^([%w%.%-]+)%.(%d)%.md$")
  if name then
    -- \- and \%: a page name is never broken at its hyphens.
    local ref = pandoc.RawInline("man", "\\%" .. roff_escape(name))
    return { pandoc.Strong({ ref }), pandoc.Str("(" .. sec .. ")") }
  end
  if l.target:match("^%a+://") then
    return nil
  end
  return l.content
end

-- A table's columns are too narrow on an 80-column terminal (tbl cannot
-- wrap a page name): each row becomes a tagged paragraph instead, tagged
-- by its first cell, with the other cells joined by ": ".
function Table(t)
  local items = {}
  for _, body in ipairs(t.bodies) do
    for _, row in ipairs(body.body) do
      local rest = {}
      for i = 2, #row.cells do
        if i > 2 then
          table.insert(rest, pandoc.Str(":"))
          table.insert(rest, pandoc.Space())
        end
        for _, b in ipairs(row.cells[i].contents) do
          for _, x in ipairs(b.content or {}) do
            table.insert(rest, x)
          end
        end
      end
      local term = {}
      for _, b in ipairs(row.cells[1].contents) do
        for _, x in ipairs(b.content or {}) do
          table.insert(term, x)
        end
      end
      table.insert(items, { term, { pandoc.Plain(rest) } })
    end
  end
  return pandoc.DefinitionList(items)
end
