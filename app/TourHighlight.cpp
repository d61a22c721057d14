#include "TourHighlight.h"

#include <QEvent>
#include <QPainter>

namespace {
constexpr int kMargin = 4; // the frame sits just outside the target
}

TourHighlight::TourHighlight(QWidget* window) : QWidget(window)
{
    setObjectName(QStringLiteral("tourHighlight"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    window->installEventFilter(this);
    hide();
}

void TourHighlight::pointAt(QWidget* target)
{
    m_target = target;
    place();
}

void TourHighlight::place()
{
    QWidget* window = parentWidget();
    if (!m_target || !window || !m_target->isVisible()) {
        hide();
        return;
    }
    const QRect inWindow(m_target->mapTo(window, QPoint(0, 0)), m_target->size());
    setGeometry(inWindow.adjusted(-kMargin, -kMargin, kMargin, kMargin).intersected(window->rect()));
    raise();
    show();
    update();
}

void TourHighlight::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QColor colour = palette().color(QPalette::Highlight);
    painter.setPen(QPen(colour, 3.0));
    colour.setAlpha(28);
    painter.setBrush(colour);
    painter.drawRoundedRect(QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6);
}

bool TourHighlight::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == parentWidget() && (event->type() == QEvent::Resize || event->type() == QEvent::LayoutRequest) &&
        isVisible())
        place();
    return QWidget::eventFilter(watched, event);
}
