#pragma once

#include <QWidget>

class QLabel;
class QSlider;

// The scale c of W on a log slider from 0.1 to 10 (a hundred steps per decade), with its value beside it.
class ScaleSliderRow : public QWidget {
    Q_OBJECT
public:
    explicit ScaleSliderRow(QWidget* parent = nullptr);

    double scale() const;
    void setScale(double c); // clamped to [0.1, 10]; ignores values that are not positive and finite
    int step() const;
    void setStep(int step);
    int minimumStep() const;
    int maximumStep() const;

Q_SIGNALS:
    void scaleChanged(double c);

private:
    void showValue();

    QSlider* m_slider = nullptr;
    QLabel* m_value = nullptr;
};
