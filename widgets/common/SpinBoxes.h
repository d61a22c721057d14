#pragma once

#include <QSpinBox>
#include <QString>

// An integer spin box for a settings form: range, initial value and tooltip (every control has one), accelerated
// so that wide ranges are quick to cross.
inline QSpinBox* makeSpinBox(QWidget* parent, int min, int max, int value, const QString& tip)
{
    auto* s = new QSpinBox(parent);
    s->setRange(min, max);
    s->setValue(value);
    s->setToolTip(tip);
    s->setAccelerated(true);
    return s;
}
