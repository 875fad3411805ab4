/* access-report.html: draws each stack's access graph as SVG from dagre's layout.
   Reads the graph data from the JSON script element #access-graphs; every text goes in with textContent. */
(function () {
  "use strict";
  var SVG = "http" + "://www.w3.org/2000/svg";  // the SVG namespace name, never fetched
  var LINE = 16, PAD_X = 10, PAD_Y = 8, LABEL_LINE = 14;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function hours(seconds) {
    if (typeof seconds !== "number") { return String(seconds); }
    return seconds % 3600 === 0 ? (seconds / 3600) + " h" : Math.round(seconds / 60) + " min";
  }

  // [text, css class] lines of a node: a kind line, the title, its text, and a role's badges
  function nodeLines(node) {
    if (node.kind !== "role") {
      return [[node.title, "kind"]].concat(node.lines.map(function (t) { return [t, ""]; }));
    }
    var lines = [["role · max session " + hours(node.session), "kind"], [node.role, "title"]];
    if (node.proof) {
      var label = node.proof_label || node.proof;
      lines.push(node.proof === "proved" ? ["✓ trust " + label, "badge-text ok"] : ["✗ proof: " + label, "badge-text bad"]);
    }
    if (node.opt_ins.length) { lines.push(["⚑ opt-in: " + node.opt_ins.join(", "), "badge-text optin"]); }
    if (node.open) { lines.push(["● " + node.open + " open finding" + (node.open > 1 ? "s" : ""), "badge-text bad"]); }
    if (!node.grants) { lines.push(["no permissions in this template", "muted"]); }
    if (node.acknowledged) { lines.push(["✓ " + node.acknowledged + " acknowledged finding" + (node.acknowledged > 1 ? "s" : ""), "badge-text ack"]); }
    return lines;
  }

  function nodeClass(node) {
    if (node.kind === "role") {
      return "node role" + (node.open || (node.proof && node.proof !== "proved") ? " bad" : node.opt_ins.length ? " optin" : "");
    }
    if (node.kind === "policy") { return "node target policy"; }
    return "node " + (["bucket", "service", "resource"].indexOf(node.kind) >= 0 ? "target" : "source") + " " + node.kind;
  }

  // a <g> with its lines of text; returns it with its measured size
  function textBlock(parent, lines, lineHeight, attrs) {
    var group = el("g", attrs, parent);
    var box = el("rect", {"class": "box", rx: 6, ry: 6}, group);
    var width = 0;
    lines.forEach(function (line, i) {
      var text = el("text", {x: PAD_X, y: PAD_Y + lineHeight * (i + 1) - 4, "class": line[1]}, group);
      line[0].split("`").forEach(function (part, j) {  // `quoted` parts bold
        if (part) { el("tspan", j % 2 ? {"class": "strong"} : {}, text).textContent = part; }
      });
      width = Math.max(width, text.getComputedTextLength());
    });
    var size = {width: Math.ceil(width) + 2 * PAD_X, height: lines.length * lineHeight + 2 * PAD_Y - 2};
    box.setAttribute("width", size.width);
    box.setAttribute("height", size.height);
    return {group: group, size: size};
  }

  function curve(points) {
    var d = "M" + points[0].x + "," + points[0].y;
    for (var i = 1; i < points.length - 1; i++) {
      var mid = {x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2};
      d += " Q" + points[i].x + "," + points[i].y + " " + mid.x + "," + mid.y;
    }
    var last = points[points.length - 1];
    return d + " L" + last.x + "," + last.y;
  }

  function draw(container, graph, index) {
    var svg = el("svg", {role: "img", "aria-label": "access graph of stack " + graph.stack, "data-stack": graph.stack});
    container.appendChild(svg);
    var marker = el("marker", {id: "arrow" + index, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                               markerHeight: 7, orient: "auto-start-reverse"}, el("defs", {}, svg));
    el("path", {d: "M0,0 L10,5 L0,10 z", fill: "#8c959f"}, marker);
    var edgeLayer = el("g", {"class": "edges"}, svg), nodeLayer = el("g", {"class": "nodes"}, svg);
    var layout = new dagre.graphlib.Graph();
    layout.setGraph({rankdir: "LR", nodesep: 18, ranksep: 50, edgesep: 14, marginx: 12, marginy: 12});
    layout.setDefaultEdgeLabel(function () { return {}; });
    var drawn = {};
    graph.nodes.forEach(function (node) {
      var parent = nodeLayer, attrs = {"class": nodeClass(node), "data-node": node.id, "data-kind": node.kind};
      if (node.kind === "role") {
        parent = el("a", {href: node.href}, nodeLayer);
        attrs["data-role"] = node.role;
        attrs["data-stack"] = node.stack;
      }
      var block = textBlock(parent, nodeLines(node), LINE, attrs);
      drawn[node.id] = block;
      layout.setNode(node.id, {width: block.size.width, height: block.size.height});
    });
    graph.edges.forEach(function (edge, i) {
      var label = null, size = {width: 0, height: 0};
      if (edge.label.length) {
        label = textBlock(svg, edge.label.map(function (t) { return [t, ""]; }), LABEL_LINE,
                          {"class": "edge-label", "data-edge": i});
        size = label.size;
      }
      layout.setEdge(edge.source, edge.target, {width: size.width, height: size.height, labelpos: "c", index: i, label: label});
    });
    dagre.layout(layout);
    layout.nodes().forEach(function (id) {
      var at = layout.node(id), block = drawn[id];
      block.group.setAttribute("transform", "translate(" + (at.x - at.width / 2) + "," + (at.y - at.height / 2) + ")");
    });
    layout.edges().forEach(function (e) {
      var at = layout.edge(e), edge = graph.edges[at.index];
      var group = el("g", {"class": "edge " + edge.kind, "data-source": edge.source, "data-target": edge.target}, edgeLayer);
      el("path", {d: curve(at.points), "marker-end": "url(#arrow" + index + ")"}, group);
      if (at.label) {
        edgeLayer.appendChild(at.label.group);  // labels above every edge line
        at.label.group.setAttribute("transform", "translate(" + (at.x - at.width / 2) + "," + (at.y - at.height / 2) + ")");
      }
    });
    var size = layout.graph();
    svg.setAttribute("viewBox", "0 0 " + Math.ceil(size.width) + " " + Math.ceil(size.height));
    svg.setAttribute("width", Math.ceil(size.width));
    svg.setAttribute("height", Math.ceil(size.height));
    highlightOnHover(svg);
  }

  // hovering a node fades everything not connected to it
  function highlightOnHover(svg) {
    svg.querySelectorAll(".node").forEach(function (node) {
      var id = node.getAttribute("data-node");
      node.addEventListener("mouseenter", function () {
        var keep = {};
        keep[id] = true;
        svg.querySelectorAll(".edge").forEach(function (edge) {
          var linked = edge.getAttribute("data-source") === id || edge.getAttribute("data-target") === id;
          if (linked) { keep[edge.getAttribute("data-source")] = keep[edge.getAttribute("data-target")] = true; }
          edge.classList.toggle("faded", !linked);
        });
        svg.querySelectorAll(".node").forEach(function (other) {
          other.classList.toggle("faded", !keep[other.getAttribute("data-node")]);
        });
      });
      node.addEventListener("mouseleave", function () {
        svg.querySelectorAll(".faded").forEach(function (faded) { faded.classList.remove("faded"); });
      });
    });
  }

  // one graph per task, so the text of the page shows first and a large stack does not freeze it
  var graphs = JSON.parse(document.getElementById("access-graphs").textContent);
  function drawFrom(index) {
    if (index >= graphs.length) {
      document.body.setAttribute("data-graphs-drawn", String(graphs.length));
      return;
    }
    var container = document.querySelector('.graph[data-graph="' + index + '"]');
    if (container && graphs[index].nodes.length) { draw(container, graphs[index], index); }
    setTimeout(drawFrom, 0, index + 1);
  }
  setTimeout(drawFrom, 0, 0);
})();
