#pragma once

#include <QWidget>

class QComboBox;
class QSpinBox;

// Which plane the feature-geometry view draws a model with more than two hidden dimensions in: the two leading
// principal axes of W Wᵀ, or two hidden dimensions the user picks (what a privileged basis does shows there). Shown
// only when m > 2; changed() reports the user's choice as 0-based dimensions, (-1, -1) for the principal axes.
class ProjectionChooser : public QWidget {
    Q_OBJECT
public:
    explicit ProjectionChooser(QWidget* parent = nullptr);

    // Sets the number of hidden dimensions m: hides the chooser for m <= 2 and bounds the dimension boxes. Silent.
    void setHiddenDimensions(int m);
    // (-1, -1): principal axes. Silent; out-of-range dimensions fall back to the principal axes.
    void setDimensions(int first, int second);
    int first() const;
    int second() const;

Q_SIGNALS:
    void changed(int first, int second);

private:
    void update();

    QComboBox* m_mode = nullptr;
    QSpinBox* m_first = nullptr;
    QSpinBox* m_second = nullptr;
    bool m_silent = false;
};
