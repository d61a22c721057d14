#pragma once

#include "io/ArrayData.h"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace featurescope {

// Toy-model matrices and vectors as C-order arrays and back, shared by the model file (safetensors for Python) and
// session state, so both stack the same way and both refuse NaN, infinities and shapes that disagree with the
// model's config.
class ToyArrays {
public:
    // Matrices of one shape as [count, rows, cols] (Eigen stores columns first; the array is row-major).
    static ArrayData stackMatrices(const std::vector<const Eigen::MatrixXf*>& matrices, Eigen::Index rows,
                                   Eigen::Index cols);
    // Vectors of one length as [count, size].
    static ArrayData stackVectors(const std::vector<const Eigen::VectorXf*>& vectors, Eigen::Index size);

    // The values of `array` as floats, when it has exactly `shape`, a floating-point dtype and only finite values;
    // otherwise throws InputError "<where>: the array '<name>' ...". Call it before allocating anything sized by a
    // config, so a file that claims huge sizes without the data to back them costs nothing.
    static std::vector<float> finiteFloats(const ArrayData& array, const ArrayData::Shape& shape,
                                           const std::string& name, const std::string& where);
    // The same for values that must stay double (probabilities, importances, losses).
    static std::vector<double> finiteDoubles(const ArrayData& array, const ArrayData::Shape& shape,
                                             const std::string& name, const std::string& where);

    // Element `index` of a stack made by stackMatrices / stackVectors.
    static Eigen::MatrixXf matrixAt(const std::vector<float>& values, std::size_t index, int rows, int cols);
    static Eigen::VectorXf vectorAt(const std::vector<float>& values, std::size_t index, int size);
};

} // namespace featurescope
