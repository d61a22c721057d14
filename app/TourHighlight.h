#pragma once

#include <QPointer>
#include <QWidget>

// The frame the first-start tour draws around the control its current card talks about (the panel list, the Train
// button, the feature view, the menu bar), so the cards point at something. A child of the main window that lets
// every mouse event through; it follows its target when the window is resized.
class TourHighlight : public QWidget {
    Q_OBJECT
public:
    explicit TourHighlight(QWidget* window);

    // Frames `target` (a descendant of the window), or hides when it is null or not visible.
    void pointAt(QWidget* target);
    QWidget* target() const { return m_target; }

protected:
    void paintEvent(QPaintEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void place();

    QPointer<QWidget> m_target;
};
