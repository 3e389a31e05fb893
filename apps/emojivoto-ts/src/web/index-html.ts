function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/**
 * The page shell every non-API path returns (the original has no server-side
 * 404): the message of the day, the app's mount point and its script.
 */
export function indexHtml(messageOfTheDay: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Emoji Vote</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/css">
</head>
<body>
<div id="motd"${messageOfTheDay === '' ? ' hidden' : ''}>${escapeHtml(messageOfTheDay)}</div>
<div id="main" class="main"></div>
<script type="module" src="/js"></script>
</body>
</html>
`;
}
