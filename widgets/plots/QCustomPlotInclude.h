#pragma once

// qcustomplot.h uses Qt's lower-case keywords (signals, slots, emit, foreach); our targets build with QT_NO_KEYWORDS,
// so they are mapped to the macro forms for this one header. Include QCustomPlot only through this file.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
