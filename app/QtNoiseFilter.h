#pragma once

// Drops the few Qt warnings that say nothing to a user and fill the terminal of every headless run (the offscreen
// platform's "This plugin does not support propagateSizeHints()", printed whenever a window is laid out). Every
// other message goes to the handler that was installed before.
class QtNoiseFilter {
public:
    static void install();
};
