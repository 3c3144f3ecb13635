{#- Reload the page whenever the preview renders again. Receives: events (the URL of
    the change stream). No `<` or `&` here: the script sits unquoted in XHTML pages. -#}
new EventSource({{ events|tojson }}).onmessage = function () { location.reload(); };
