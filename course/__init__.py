"""The backpropagation course's library: what the notebooks import.

    course.data       load the USPS digits (finds, downloads, verifies; see load_usps)
    course.gradcheck  numerical gradients, rel_error and a ReLU-kink-aware gradient check
    course.plots      digit grids, learning curves, confusion matrix, misclassified gallery, weights

The reference solutions are not here: they live with the instructor's grading code.
"""
__version__ = "0.1.0"
