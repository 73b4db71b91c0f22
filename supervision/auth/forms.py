from supervision.forms import Form, Required, email_field, password_field


class SignInForm(Form):
    email = email_field("Email address", Required("Enter your email address"))
    password = password_field("Password", Required("Enter your password"))
