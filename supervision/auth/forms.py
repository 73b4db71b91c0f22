from supervision.forms import Form, Required, email_field, password_field


class SignInForm(Form):
    email = email_field("Email address", Required("Enter your email address"))
    password = password_field("Password", Required("Enter your password"))


class ChangePasswordForm(Form):
    current_password = password_field("Current password", Required("Enter your current password"))
    new_password = password_field("New password", Required("Enter a new password"))
    confirm_password = password_field("Confirm new password", Required("Enter the new password again"))


class ForgotPasswordForm(Form):
    email = email_field("Email address", Required("Enter your email address"))


class SetPasswordForm(Form):
    new_password = password_field("New password", Required("Enter a new password"))
    confirm_password = password_field("Confirm new password", Required("Enter the new password again"))
