// The frame every vstress HTML page shares (report.html, the mutant detection table,
// nightly.html): one inline stylesheet, no script, no font, no image, nothing fetched, so a page
// renders offline with JS off and reads on a phone. Any text may wrap anywhere, so no path,
// command or key is ever wider than the screen.
//
// Thread contract: thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

namespace reports {

// "<!DOCTYPE html>...<body><main>" with `title` (escaped) and the shared stylesheet.
std::string HtmlPageStart(std::string_view title);
// "<footer>Written by <code>COMMAND</code>.</footer></main></body></html>" (`command` escaped).
std::string HtmlPageEnd(std::string_view command);

}  // namespace reports
