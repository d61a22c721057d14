#include "ProjectionChooser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

ProjectionChooser::ProjectionChooser(QWidget* parent) : QWidget(parent)
{
    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("projectionMode"));
    m_mode->addItem(tr("principal axes"));
    m_mode->addItem(tr("hidden dimensions"));
    m_mode->setToolTip(tr("For m > 2 the arrows are drawn in a plane: the two leading principal axes of W W\u1d40 "
                          "(the most spread), or two hidden dimensions of your choice"));
    m_first = new QSpinBox(this);
    m_second = new QSpinBox(this);
    m_first->setObjectName(QStringLiteral("projectionFirst"));
    m_second->setObjectName(QStringLiteral("projectionSecond"));
    for (QSpinBox* box : {m_first, m_second}) {
        box->setRange(1, 2);
        box->setToolTip(tr("A hidden dimension (1 to m) for this axis of the plot"));
    }
    m_second->setValue(2);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Plane:"), this));
    row->addWidget(m_mode);
    row->addWidget(m_first);
    row->addWidget(m_second);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ProjectionChooser::update);
    connect(m_first, &QSpinBox::valueChanged, this, &ProjectionChooser::update);
    connect(m_second, &QSpinBox::valueChanged, this, &ProjectionChooser::update);
    setVisible(false);
    update();
}

void ProjectionChooser::setHiddenDimensions(int m)
{
    const QSignalBlocker b1(m_first), b2(m_second);
    m_first->setRange(1, std::max(2, m));
    m_second->setRange(1, std::max(2, m));
    setVisible(m > 2);
}

void ProjectionChooser::setDimensions(int first, int second)
{
    const QSignalBlocker b0(m_mode), b1(m_first), b2(m_second);
    const bool dims = first >= 0 && second >= 0 && first != second && first < m_first->maximum() &&
                      second < m_second->maximum();
    m_mode->setCurrentIndex(dims ? 1 : 0);
    if (dims) {
        m_first->setValue(first + 1);
        m_second->setValue(second + 1);
    }
    m_first->setEnabled(dims);
    m_second->setEnabled(dims);
}

int ProjectionChooser::first() const { return m_mode->currentIndex() == 1 ? m_first->value() - 1 : -1; }

int ProjectionChooser::second() const { return m_mode->currentIndex() == 1 ? m_second->value() - 1 : -1; }

void ProjectionChooser::update()
{
    const bool dims = m_mode->currentIndex() == 1;
    m_first->setEnabled(dims);
    m_second->setEnabled(dims);
    if (dims && m_first->value() == m_second->value())
        return; // one dimension twice is not a plane: wait for the user to pick another
    Q_EMIT changed(first(), second());
}
