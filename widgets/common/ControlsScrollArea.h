#pragma once

#include <QScrollArea>

// The scrolling controls column of a panel. It scrolls vertically only and is never narrower than its contents need
// (plus the scroll bar), nor wider than `maximumFontWidths` average characters of its font: a larger theme font
// (presentation) widens the column instead of clipping the controls behind a horizontal scroll bar, as fixed pixel
// widths did.
class ControlsScrollArea : public QScrollArea {
    Q_OBJECT
public:
    ControlsScrollArea(QWidget* contents, int maximumFontWidths, QWidget* parent = nullptr);

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    bool event(QEvent* event) override;

private:
    int contentsWidth(int wanted) const;
    int m_maximumFontWidths;
};
